namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/transformation-completed.avsc. Keyed by tenant id.</summary>
public sealed record TransformationCompleted(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    Provider Provider,
    string Model,
    IReadOnlyList<OutputMedia> Outputs,
    int RequestedCount,
    IReadOnlyList<string> Warnings,
    long ProcessingTimeMs,
    long ProviderTimeMs,
    decimal Credits,
    string CreditUnit,
    CreditSource CreditSource,
    IReadOnlyList<string> ProviderJobIds,
    Provider? FallbackFrom,
    string? FallbackReason,
    TransformationRequested Request) : ICinematicEvent;

public sealed record OutputMedia(int Index, string Url, string? ContentType, MediaKind Kind);
