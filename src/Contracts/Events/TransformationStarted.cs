namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/transformation-started.avsc: the processor is starting a provider job for a request. Keyed by tenant id.</summary>
public sealed record TransformationStarted(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    DateTimeOffset RequestOccurredAt,
    Provider Provider,
    string Model,
    int Step) : ICinematicEvent;
