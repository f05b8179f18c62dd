using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/transformation-failed.avsc as an Apache.Avro specific record.</summary>
public sealed class TransformationFailed : IAvroRecord<TransformationFailed, E.TransformationFailed>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.TransformationFailed>();

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public FailureStage Stage { get; set; }

    public ErrorInfo Error { get; set; } = new();

    public TransformationRequested Request { get; set; } = new();

    public Schema Schema => AvroSchema;

    public static TransformationFailed From(E.TransformationFailed value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        Stage = (FailureStage)value.Stage,
        Error = ErrorInfo.From(value.Error),
        Request = TransformationRequested.From(value.Request),
    };

    public E.TransformationFailed ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), (E.FailureStage)Stage, Error.ToValue(), Request.ToValue());

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => AvroValues.Box(Stage),
        6 => Error,
        7 => Request,
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
            case 5: Stage = AvroValues.Enum<FailureStage>(fieldValue, "stage"); break;
            case 6: Error = AvroValues.Unbox<ErrorInfo>(fieldValue, "error"); break;
            case 7: Request = AvroValues.Unbox<TransformationRequested>(fieldValue, "request"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class ErrorInfo : IAvroRecord<ErrorInfo, E.ErrorInfo>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.ErrorInfo");

    public ErrorCode Code { get; set; }

    public string Message { get; set; } = "";

    public Provider? Provider { get; set; }

    public int? HttpStatus { get; set; }

    // Starts empty so that the reader fills it instead of creating it by reflection.
    public IDictionary<string, string> Details { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public Schema Schema => AvroSchema;

    public static ErrorInfo From(E.ErrorInfo value) => new()
    {
        Code = (ErrorCode)value.Code,
        Message = value.Message,
        Provider = (Provider?)value.Provider,
        HttpStatus = value.HttpStatus,
        Details = value.Details.ToDictionary(StringComparer.Ordinal),
    };

    public E.ErrorInfo ToValue() => new((E.ErrorCode)Code, Message, (E.Provider?)Provider, HttpStatus, Details.ToDictionary(StringComparer.Ordinal));

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => AvroValues.Box(Code),
        1 => Message,
        2 => Provider is { } provider ? AvroValues.Box(provider) : null,
        3 => HttpStatus,
        4 => Details,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Code = AvroValues.Enum<ErrorCode>(fieldValue, "code"); break;
            case 1: Message = AvroValues.Unbox<string>(fieldValue, "message"); break;
            case 2: Provider = fieldValue is null ? null : AvroValues.Enum<Provider>(fieldValue, "provider"); break;
            case 3: HttpStatus = (int?)fieldValue; break;
            case 4: Details = AvroValues.Unbox<IDictionary<string, string>>(fieldValue, "details"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
