namespace CinematicSwitch.Streaming.Topology;

/// <summary>A topic as the topology wants it: its name, partition count, replication and topic-level configuration.</summary>
public sealed record TopicSpec(string Name, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Config)
{
    public TopicSpec(string name, int partitions, short replicationFactor)
        : this(name, partitions, replicationFactor, new Dictionary<string, string>())
    {
    }

    /// <summary>True for a log-compacted topic (changelogs, the schema registry's <c>_schemas</c>).</summary>
    public bool IsCompacted => Config.TryGetValue("cleanup.policy", out var policy) && policy.Contains("compact", StringComparison.Ordinal);
}
