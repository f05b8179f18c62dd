namespace CinematicSwitch.Contracts.Events;

/// <summary>What every event carries (DESIGN.md, "Contracts").</summary>
public interface ICinematicEvent
{
    Guid RequestId { get; }

    string TenantId { get; }

    string CorrelationId { get; }

    string Requester { get; }

    DateTimeOffset OccurredAt { get; }
}
