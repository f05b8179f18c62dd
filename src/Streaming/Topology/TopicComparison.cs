using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Topology;

/// <summary>Compares an existing topic, as broker metadata describes it, with its specification.</summary>
internal static class TopicComparison
{
    public static TopicOutcome Compare(TopicSpec spec, TopicMetadata existing, IReadOnlyDictionary<string, string>? existingConfig)
    {
        var differences = new List<string>();
        if (existing.Partitions.Count != spec.Partitions)
        {
            differences.Add($"partitions {existing.Partitions.Count}, expected {spec.Partitions}");
        }

        var replicas = existing.Partitions.Count == 0 ? 0 : existing.Partitions.Min(p => p.Replicas.Length);
        if (replicas != spec.ReplicationFactor)
        {
            differences.Add($"replication factor {replicas}, expected {spec.ReplicationFactor}");
        }

        if (existingConfig is not null)
        {
            foreach (var (key, expected) in spec.Config)
            {
                if (!existingConfig.TryGetValue(key, out var actual) || actual != expected)
                {
                    differences.Add($"{key}={actual ?? "(unset)"}, expected {expected}");
                }
            }
        }

        return differences.Count == 0
            ? new TopicOutcome(spec.Name, TopicStatus.Matches)
            : new TopicOutcome(spec.Name, TopicStatus.Mismatch, string.Join("; ", differences));
    }
}
