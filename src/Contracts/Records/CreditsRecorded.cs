using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/credits-recorded.avsc as an Apache.Avro specific record.</summary>
public sealed class CreditsRecorded : IAvroRecord<CreditsRecorded, E.CreditsRecorded>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.CreditsRecorded>();

    private static readonly AvroDecimalType CreditsType = AvroDecimalType.Of(AvroSchema, "credits");

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public TransformationTask Task { get; set; }

    public Provider Provider { get; set; }

    public string Model { get; set; } = "";

    public AvroDecimal Credits { get; set; }

    public string CreditUnit { get; set; } = "";

    public CreditSource CreditSource { get; set; }

    public Schema Schema => AvroSchema;

    public static CreditsRecorded From(E.CreditsRecorded value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        Task = (TransformationTask)value.Task,
        Provider = (Provider)value.Provider,
        Model = value.Model,
        Credits = CreditsType.ToAvro(value.Credits),
        CreditUnit = value.CreditUnit,
        CreditSource = (CreditSource)value.CreditSource,
    };

    public E.CreditsRecorded ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), (E.TransformationTask)Task, (E.Provider)Provider, Model,
        AvroValues.FromAvro(Credits), CreditUnit, (E.CreditSource)CreditSource);

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => AvroValues.Box(Task),
        6 => AvroValues.Box(Provider),
        7 => Model,
        8 => Credits,
        9 => CreditUnit,
        10 => AvroValues.Box(CreditSource),
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
            case 5: Task = AvroValues.Enum<TransformationTask>(fieldValue, "task"); break;
            case 6: Provider = AvroValues.Enum<Provider>(fieldValue, "provider"); break;
            case 7: Model = AvroValues.Unbox<string>(fieldValue, "model"); break;
            case 8: Credits = AvroValues.Unbox<AvroDecimal>(fieldValue, "credits"); break;
            case 9: CreditUnit = AvroValues.Unbox<string>(fieldValue, "credit_unit"); break;
            case 10: CreditSource = AvroValues.Enum<CreditSource>(fieldValue, "credit_source"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
