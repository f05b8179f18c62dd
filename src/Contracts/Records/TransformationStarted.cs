using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/transformation-started.avsc as an Apache.Avro specific record.</summary>
public sealed class TransformationStarted : IAvroRecord<TransformationStarted, E.TransformationStarted>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.TransformationStarted>();

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public DateTime RequestOccurredAt { get; set; }

    public Provider Provider { get; set; }

    public string Model { get; set; } = "";

    public int Step { get; set; }

    public Schema Schema => AvroSchema;

    public static TransformationStarted From(E.TransformationStarted value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        RequestOccurredAt = AvroValues.ToAvro(value.RequestOccurredAt),
        Provider = (Provider)value.Provider,
        Model = value.Model,
        Step = value.Step,
    };

    public E.TransformationStarted ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), AvroValues.FromAvro(RequestOccurredAt), (E.Provider)Provider, Model, Step);

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => RequestOccurredAt,
        6 => AvroValues.Box(Provider),
        7 => Model,
        8 => Step,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: RequestId = AvroValues.Unbox<Guid>(fieldValue, "request_id"); break;
            case 1: TenantId = AvroValues.Unbox<string>(fieldValue, "tenant_id"); break;
            case 2: CorrelationId = AvroValues.Unbox<string>(fieldValue, "correlation_id"); break;
            case 3: Requester = AvroValues.Unbox<string>(fieldValue, "requester"); break;
            case 4: OccurredAt = AvroValues.Unbox<DateTime>(fieldValue, "occurred_at"); break;
            case 5: RequestOccurredAt = AvroValues.Unbox<DateTime>(fieldValue, "request_occurred_at"); break;
            case 6: Provider = AvroValues.Enum<Provider>(fieldValue, "provider"); break;
            case 7: Model = AvroValues.Unbox<string>(fieldValue, "model"); break;
            case 8: Step = AvroValues.Unbox<int>(fieldValue, "step"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
