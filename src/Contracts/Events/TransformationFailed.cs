namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/transformation-failed.avsc. Keyed by tenant id; carries the original request for replay.</summary>
public sealed record TransformationFailed(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    FailureStage Stage,
    ErrorInfo Error,
    TransformationRequested Request) : ICinematicEvent;

public sealed record ErrorInfo(
    ErrorCode Code,
    string Message,
    Provider? Provider,
    int? HttpStatus,
    IReadOnlyDictionary<string, string> Details);
