namespace CinematicSwitch.Streaming.Topology;

/// <summary>Creates or verifies topics. Idempotent: existing topics are kept and differences reported.</summary>
public interface ITopicProvisioner
{
    Task<TopologyReport> ApplyAsync(IReadOnlyCollection<TopicSpec> topics, bool createMissing, CancellationToken cancellationToken);
}
