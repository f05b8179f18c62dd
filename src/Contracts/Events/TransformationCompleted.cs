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
    TransformationRequested Request) : ICinematicEvent
{
    /// <summary>The seed each variation was generated with, in variation order; empty when the model takes none.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [];
}

public sealed record OutputMedia(int Index, string Url, string? ContentType, MediaKind Kind);
