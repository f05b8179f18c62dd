namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/transformation-archived.avsc. Keyed by tenant id.</summary>
public sealed record TransformationArchived(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    Provider Provider,
    string Model,
    IReadOnlyList<ArchivedMedia> Outputs,
    IReadOnlyList<string> Warnings) : ICinematicEvent;

public sealed record ArchivedMedia(
    int Index,
    string S3Uri,
    string? HttpsUrl,
    DateTimeOffset? HttpsUrlExpiresAt,
    string ContentType,
    MediaKind Kind,
    long SizeBytes,
    string Sha256,
    string SourceUrl);
