using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/transformation-completed.avsc as an Apache.Avro specific record.</summary>
public sealed class TransformationCompleted : IAvroRecord<TransformationCompleted, E.TransformationCompleted>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.TransformationCompleted>();

    private static readonly AvroDecimalType CreditsType = AvroDecimalType.Of(AvroSchema, "credits");

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public Provider Provider { get; set; }

    public string Model { get; set; } = "";

    // Lists start empty so that the reader fills them instead of creating them by reflection.
    public IList<OutputMedia> Outputs { get; set; } = [];

    public int RequestedCount { get; set; }

    public IList<string> Warnings { get; set; } = [];

    public long ProcessingTimeMs { get; set; }

    public long ProviderTimeMs { get; set; }

    public AvroDecimal Credits { get; set; }

    public string CreditUnit { get; set; } = "";

    public CreditSource CreditSource { get; set; }

    public IList<string> ProviderJobIds { get; set; } = [];

    public Provider? FallbackFrom { get; set; }

    public string? FallbackReason { get; set; }

    public IList<long> Seeds { get; set; } = [];

    public TransformationRequested Request { get; set; } = new();

    public Schema Schema => AvroSchema;

    public static TransformationCompleted From(E.TransformationCompleted value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        Provider = (Provider)value.Provider,
        Model = value.Model,
        Outputs = [.. value.Outputs.Select(OutputMedia.From)],
        RequestedCount = value.RequestedCount,
        Warnings = [.. value.Warnings],
        ProcessingTimeMs = value.ProcessingTimeMs,
        ProviderTimeMs = value.ProviderTimeMs,
        Credits = CreditsType.ToAvro(value.Credits),
        CreditUnit = value.CreditUnit,
        CreditSource = (CreditSource)value.CreditSource,
        ProviderJobIds = [.. value.ProviderJobIds],
        FallbackFrom = (Provider?)value.FallbackFrom,
        FallbackReason = value.FallbackReason,
        Seeds = [.. value.Seeds],
        Request = TransformationRequested.From(value.Request),
    };

    public E.TransformationCompleted ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), (E.Provider)Provider, Model,
        [.. Outputs.Select(o => o.ToValue())], RequestedCount, [.. Warnings], ProcessingTimeMs, ProviderTimeMs, AvroValues.FromAvro(Credits),
        CreditUnit, (E.CreditSource)CreditSource, [.. ProviderJobIds], (E.Provider?)FallbackFrom, FallbackReason, Request.ToValue())
    {
        Seeds = [.. Seeds],
    };

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => AvroValues.Box(Provider),
        6 => Model,
        7 => Outputs,
        8 => RequestedCount,
        9 => Warnings,
        10 => ProcessingTimeMs,
        11 => ProviderTimeMs,
        12 => Credits,
        13 => CreditUnit,
        14 => AvroValues.Box(CreditSource),
        15 => ProviderJobIds,
        16 => FallbackFrom is { } from ? AvroValues.Box(from) : null,
        17 => FallbackReason,
        18 => Seeds,
        19 => Request,
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
            case 5: Provider = AvroValues.Enum<Provider>(fieldValue, "provider"); break;
            case 6: Model = AvroValues.Unbox<string>(fieldValue, "model"); break;
            case 7: Outputs = AvroValues.Unbox<IList<OutputMedia>>(fieldValue, "outputs"); break;
            case 8: RequestedCount = AvroValues.Unbox<int>(fieldValue, "requested_count"); break;
            case 9: Warnings = AvroValues.Unbox<IList<string>>(fieldValue, "warnings"); break;
            case 10: ProcessingTimeMs = AvroValues.Unbox<long>(fieldValue, "processing_time_ms"); break;
            case 11: ProviderTimeMs = AvroValues.Unbox<long>(fieldValue, "provider_time_ms"); break;
            case 12: Credits = AvroValues.Unbox<AvroDecimal>(fieldValue, "credits"); break;
            case 13: CreditUnit = AvroValues.Unbox<string>(fieldValue, "credit_unit"); break;
            case 14: CreditSource = AvroValues.Enum<CreditSource>(fieldValue, "credit_source"); break;
            case 15: ProviderJobIds = AvroValues.Unbox<IList<string>>(fieldValue, "provider_job_ids"); break;
            case 16: FallbackFrom = fieldValue is null ? null : AvroValues.Enum<Provider>(fieldValue, "fallback_from"); break;
            case 17: FallbackReason = (string?)fieldValue; break;
            case 18: Seeds = AvroValues.Unbox<IList<long>>(fieldValue, "seeds"); break;
            case 19: Request = AvroValues.Unbox<TransformationRequested>(fieldValue, "request"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class OutputMedia : IAvroRecord<OutputMedia, E.OutputMedia>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.OutputMedia");

    public int Index { get; set; }

    public string Url { get; set; } = "";

    public string? ContentType { get; set; }

    public MediaKind Kind { get; set; }

    public Schema Schema => AvroSchema;

    public static OutputMedia From(E.OutputMedia value) => new()
    {
        Index = value.Index,
        Url = value.Url,
        ContentType = value.ContentType,
        Kind = (MediaKind)value.Kind,
    };

    public E.OutputMedia ToValue() => new(Index, Url, ContentType, (E.MediaKind)Kind);

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Index,
        1 => Url,
        2 => ContentType,
        3 => AvroValues.Box(Kind),
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Index = AvroValues.Unbox<int>(fieldValue, "index"); break;
            case 1: Url = AvroValues.Unbox<string>(fieldValue, "url"); break;
            case 2: ContentType = (string?)fieldValue; break;
            case 3: Kind = AvroValues.Enum<MediaKind>(fieldValue, "kind"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
