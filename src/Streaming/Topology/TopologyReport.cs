namespace CinematicSwitch.Streaming.Topology;

public enum TopicStatus
{
    /// <summary>The topic did not exist and was created as specified.</summary>
    Created,

    /// <summary>The topic existed and matches the specification.</summary>
    Matches,

    /// <summary>The topic existed but differs; it is kept as it is and the difference is reported.</summary>
    Mismatch,

    /// <summary>The topic is missing and was not created (a verify-only run).</summary>
    Missing,
}

public sealed record TopicOutcome(string Topic, TopicStatus Status, string? Detail = null);

/// <summary>What applying (or verifying) a topology found, topic by topic.</summary>
public sealed record TopologyReport(IReadOnlyList<TopicOutcome> Topics)
{
    public bool IsConsistent => Topics.All(t => t.Status is TopicStatus.Created or TopicStatus.Matches);

    public IEnumerable<TopicOutcome> Problems => Topics.Where(t => t.Status is TopicStatus.Mismatch or TopicStatus.Missing);
}
