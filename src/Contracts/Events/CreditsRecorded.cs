namespace CinematicSwitch.Contracts.Events;

/// <summary>schemas/credits-recorded.avsc: the credits ledger, one entry per request. Keyed by tenant id.</summary>
public sealed record CreditsRecorded(
    Guid RequestId,
    string TenantId,
    string CorrelationId,
    string Requester,
    DateTimeOffset OccurredAt,
    TransformationTask Task,
    Provider Provider,
    string Model,
    decimal Credits,
    string CreditUnit,
    CreditSource CreditSource) : ICinematicEvent;
