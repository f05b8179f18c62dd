using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/transformation-archived.avsc as an Apache.Avro specific record.</summary>
public sealed class TransformationArchived : IAvroRecord<TransformationArchived, E.TransformationArchived>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.TransformationArchived>();

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public Provider Provider { get; set; }

    public string Model { get; set; } = "";

    // Lists start empty so that the reader fills them instead of creating them by reflection.
    public IList<ArchivedMedia> Outputs { get; set; } = [];

    public IList<string> Warnings { get; set; } = [];

    public Schema Schema => AvroSchema;

    public static TransformationArchived From(E.TransformationArchived value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        Provider = (Provider)value.Provider,
        Model = value.Model,
        Outputs = [.. value.Outputs.Select(ArchivedMedia.From)],
        Warnings = [.. value.Warnings],
    };

    public E.TransformationArchived ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), (E.Provider)Provider, Model,
        [.. Outputs.Select(o => o.ToValue())], [.. Warnings]);

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => AvroValues.Box(Provider),
        6 => Model,
        7 => Outputs,
        8 => Warnings,
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
            case 7: Outputs = AvroValues.Unbox<IList<ArchivedMedia>>(fieldValue, "outputs"); break;
            case 8: Warnings = AvroValues.Unbox<IList<string>>(fieldValue, "warnings"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class ArchivedMedia : IAvroRecord<ArchivedMedia, E.ArchivedMedia>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.ArchivedMedia");

    public int Index { get; set; }

    public string S3Uri { get; set; } = "";

    public string? HttpsUrl { get; set; }

    public DateTime? HttpsUrlExpiresAt { get; set; }

    public string ContentType { get; set; } = "";

    public MediaKind Kind { get; set; }

    public long SizeBytes { get; set; }

    public string Sha256 { get; set; } = "";

    public string SourceUrl { get; set; } = "";

    public Schema Schema => AvroSchema;

    public static ArchivedMedia From(E.ArchivedMedia value) => new()
    {
        Index = value.Index,
        S3Uri = value.S3Uri,
        HttpsUrl = value.HttpsUrl,
        HttpsUrlExpiresAt = AvroValues.ToAvro(value.HttpsUrlExpiresAt),
        ContentType = value.ContentType,
        Kind = (MediaKind)value.Kind,
        SizeBytes = value.SizeBytes,
        Sha256 = value.Sha256,
        SourceUrl = value.SourceUrl,
    };

    public E.ArchivedMedia ToValue() => new(
        Index, S3Uri, HttpsUrl, AvroValues.FromAvro(HttpsUrlExpiresAt), ContentType, (E.MediaKind)Kind, SizeBytes, Sha256, SourceUrl);

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => Index,
        1 => S3Uri,
        2 => HttpsUrl,
        3 => HttpsUrlExpiresAt,
        4 => ContentType,
        5 => AvroValues.Box(Kind),
        6 => SizeBytes,
        7 => Sha256,
        8 => SourceUrl,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Index = AvroValues.Unbox<int>(fieldValue, "index"); break;
            case 1: S3Uri = AvroValues.Unbox<string>(fieldValue, "s3_uri"); break;
            case 2: HttpsUrl = (string?)fieldValue; break;
            case 3: HttpsUrlExpiresAt = (DateTime?)fieldValue; break;
            case 4: ContentType = AvroValues.Unbox<string>(fieldValue, "content_type"); break;
            case 5: Kind = AvroValues.Enum<MediaKind>(fieldValue, "kind"); break;
            case 6: SizeBytes = AvroValues.Unbox<long>(fieldValue, "size_bytes"); break;
            case 7: Sha256 = AvroValues.Unbox<string>(fieldValue, "sha256"); break;
            case 8: SourceUrl = AvroValues.Unbox<string>(fieldValue, "source_url"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
