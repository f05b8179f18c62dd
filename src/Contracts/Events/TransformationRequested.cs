namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/transformation-requested.avsc. Keyed by tenant id.</summary>
public sealed record TransformationRequested(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    TransformationTask Task,
    MediaReference? Media,
    string SceneDescription,
    string? StylePreset,
    string? Prompt,
    int OutputCount,
    string AspectRatio,
    VideoOptions? Video,
    Provider? Provider,
    ReplayInfo? Replay) : ICinematicEvent;

public sealed record MediaReference(string Uri, string ContentType, MediaKind Kind, long SizeBytes, string Sha256);

public sealed record VideoOptions(int DurationSeconds, bool SeamlessLoop, long? Seed, string? CameraMotion);

public sealed record ReplayInfo(
    int ReplayCount,
    DateTimeOffset ReplayedAt,
    string ReplayedBy,
    ErrorCode PreviousErrorCode,
    string PreviousErrorMessage);
