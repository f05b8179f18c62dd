using Avro;
using CinematicSwitch.Contracts;
using E = CinematicSwitch.Contracts.Events;

namespace io.cinematicswitch.events;

/// <summary>schemas/transformation-requested.avsc as an Apache.Avro specific record (also nested in completed and failed events).</summary>
public sealed class TransformationRequested : IAvroRecord<TransformationRequested, E.TransformationRequested>
{
    public static readonly RecordSchema AvroSchema = EventSchemas.For<E.TransformationRequested>();

    public Guid RequestId { get; set; }

    public string TenantId { get; set; } = "";

    public string CorrelationId { get; set; } = "";

    public string Requester { get; set; } = "";

    public DateTime OccurredAt { get; set; }

    public TransformationTask Task { get; set; }

    public MediaReference? Media { get; set; }

    public string SceneDescription { get; set; } = "";

    public string? StylePreset { get; set; }

    public string? Prompt { get; set; }

    public int OutputCount { get; set; }

    public string AspectRatio { get; set; } = "";

    public VideoOptions? Video { get; set; }

    public Provider? Provider { get; set; }

    public ReplayInfo? Replay { get; set; }

    public Schema Schema => AvroSchema;

    public static TransformationRequested From(E.TransformationRequested value) => new()
    {
        RequestId = value.RequestId,
        TenantId = value.TenantId,
        CorrelationId = value.CorrelationId,
        Requester = value.Requester,
        OccurredAt = AvroValues.ToAvro(value.OccurredAt),
        Task = (TransformationTask)value.Task,
        Media = value.Media is { } media ? MediaReference.From(media) : null,
        SceneDescription = value.SceneDescription,
        StylePreset = value.StylePreset,
        Prompt = value.Prompt,
        OutputCount = value.OutputCount,
        AspectRatio = value.AspectRatio,
        Video = value.Video is { } video ? VideoOptions.From(video) : null,
        Provider = (Provider?)value.Provider,
        Replay = value.Replay is { } replay ? ReplayInfo.From(replay) : null,
    };

    public E.TransformationRequested ToValue() => new(
        RequestId, TenantId, CorrelationId, Requester, AvroValues.FromAvro(OccurredAt), (E.TransformationTask)Task, Media?.ToValue(),
        SceneDescription, StylePreset, Prompt, OutputCount, AspectRatio, Video?.ToValue(), (E.Provider?)Provider, Replay?.ToValue());

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => RequestId,
        1 => TenantId,
        2 => CorrelationId,
        3 => Requester,
        4 => OccurredAt,
        5 => AvroValues.Box(Task),
        6 => Media,
        7 => SceneDescription,
        8 => StylePreset,
        9 => Prompt,
        10 => OutputCount,
        11 => AspectRatio,
        12 => Video,
        13 => Provider is { } provider ? AvroValues.Box(provider) : null,
        14 => Replay,
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
            case 6: Media = (MediaReference?)fieldValue; break;
            case 7: SceneDescription = AvroValues.Unbox<string>(fieldValue, "scene_description"); break;
            case 8: StylePreset = (string?)fieldValue; break;
            case 9: Prompt = (string?)fieldValue; break;
            case 10: OutputCount = AvroValues.Unbox<int>(fieldValue, "output_count"); break;
            case 11: AspectRatio = AvroValues.Unbox<string>(fieldValue, "aspect_ratio"); break;
            case 12: Video = (VideoOptions?)fieldValue; break;
            case 13: Provider = fieldValue is null ? null : AvroValues.Enum<Provider>(fieldValue, "provider"); break;
            case 14: Replay = (ReplayInfo?)fieldValue; break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class MediaReference : IAvroRecord<MediaReference, E.MediaReference>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.MediaReference");

    public string Uri { get; set; } = "";

    public string ContentType { get; set; } = "";

    public MediaKind Kind { get; set; }

    public long SizeBytes { get; set; }

    public string Sha256 { get; set; } = "";

    public Schema Schema => AvroSchema;

    public static MediaReference From(E.MediaReference value) => new()
    {
        Uri = value.Uri,
        ContentType = value.ContentType,
        Kind = (MediaKind)value.Kind,
        SizeBytes = value.SizeBytes,
        Sha256 = value.Sha256,
    };

    public E.MediaReference ToValue() => new(Uri, ContentType, (E.MediaKind)Kind, SizeBytes, Sha256);

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => Uri,
        1 => ContentType,
        2 => AvroValues.Box(Kind),
        3 => SizeBytes,
        4 => Sha256,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: Uri = AvroValues.Unbox<string>(fieldValue, "uri"); break;
            case 1: ContentType = AvroValues.Unbox<string>(fieldValue, "content_type"); break;
            case 2: Kind = AvroValues.Enum<MediaKind>(fieldValue, "kind"); break;
            case 3: SizeBytes = AvroValues.Unbox<long>(fieldValue, "size_bytes"); break;
            case 4: Sha256 = AvroValues.Unbox<string>(fieldValue, "sha256"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class VideoOptions : IAvroRecord<VideoOptions, E.VideoOptions>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.VideoOptions");

    public int DurationSeconds { get; set; }

    public bool SeamlessLoop { get; set; }

    public long? Seed { get; set; }

    public string? CameraMotion { get; set; }

    public Schema Schema => AvroSchema;

    public static VideoOptions From(E.VideoOptions value) => new()
    {
        DurationSeconds = value.DurationSeconds,
        SeamlessLoop = value.SeamlessLoop,
        Seed = value.Seed,
        CameraMotion = value.CameraMotion,
    };

    public E.VideoOptions ToValue() => new(DurationSeconds, SeamlessLoop, Seed, CameraMotion);

    public object? Get(int fieldPos) => fieldPos switch
    {
        0 => DurationSeconds,
        1 => SeamlessLoop,
        2 => Seed,
        3 => CameraMotion,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: DurationSeconds = AvroValues.Unbox<int>(fieldValue, "duration_seconds"); break;
            case 1: SeamlessLoop = AvroValues.Unbox<bool>(fieldValue, "seamless_loop"); break;
            case 2: Seed = (long?)fieldValue; break;
            case 3: CameraMotion = (string?)fieldValue; break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}

public sealed class ReplayInfo : IAvroRecord<ReplayInfo, E.ReplayInfo>
{
    public static readonly RecordSchema AvroSchema = (RecordSchema)EventSchemas.NamedType("io.cinematicswitch.events.ReplayInfo");

    public int ReplayCount { get; set; }

    public DateTime ReplayedAt { get; set; }

    public string ReplayedBy { get; set; } = "";

    public ErrorCode PreviousErrorCode { get; set; }

    public string PreviousErrorMessage { get; set; } = "";

    public Schema Schema => AvroSchema;

    public static ReplayInfo From(E.ReplayInfo value) => new()
    {
        ReplayCount = value.ReplayCount,
        ReplayedAt = AvroValues.ToAvro(value.ReplayedAt),
        ReplayedBy = value.ReplayedBy,
        PreviousErrorCode = (ErrorCode)value.PreviousErrorCode,
        PreviousErrorMessage = value.PreviousErrorMessage,
    };

    public E.ReplayInfo ToValue() => new(ReplayCount, AvroValues.FromAvro(ReplayedAt), ReplayedBy, (E.ErrorCode)PreviousErrorCode, PreviousErrorMessage);

    public object Get(int fieldPos) => fieldPos switch
    {
        0 => ReplayCount,
        1 => ReplayedAt,
        2 => ReplayedBy,
        3 => AvroValues.Box(PreviousErrorCode),
        4 => PreviousErrorMessage,
        _ => throw AvroValues.BadPosition(AvroSchema, fieldPos),
    };

    public void Put(int fieldPos, object? fieldValue)
    {
        switch (fieldPos)
        {
            case 0: ReplayCount = AvroValues.Unbox<int>(fieldValue, "replay_count"); break;
            case 1: ReplayedAt = AvroValues.Unbox<DateTime>(fieldValue, "replayed_at"); break;
            case 2: ReplayedBy = AvroValues.Unbox<string>(fieldValue, "replayed_by"); break;
            case 3: PreviousErrorCode = AvroValues.Enum<ErrorCode>(fieldValue, "previous_error_code"); break;
            case 4: PreviousErrorMessage = AvroValues.Unbox<string>(fieldValue, "previous_error_message"); break;
            default: throw AvroValues.BadPosition(AvroSchema, fieldPos);
        }
    }
}
