using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>The stream's topics as the cluster has them, checked before consuming.</summary>
internal static class TopologyCheck
{
    /// <summary>The partition count of every topic of the stream; the changelog and dead-letter topics must have at least the input's.</summary>
    public static Dictionary<string, int> PartitionCounts(KafkaClientFactory clients, StreamTopics topics)
    {
        using var admin = clients.CreateAdmin();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in new[] { topics.Input, topics.State, topics.DeadLetter }.Concat(topics.Outputs))
        {
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)
                ?? throw new InvalidOperationException($"Topic {topic} does not exist: apply the topology first.");
            counts[topic] = found.Partitions.Count;
        }

        foreach (var perPartition in new[] { topics.State, topics.DeadLetter })
        {
            if (counts[perPartition] < counts[topics.Input])
            {
                throw new InvalidOperationException(
                    $"{perPartition} has {counts[perPartition]} partitions but {topics.Input} has {counts[topics.Input]}: it needs at least as many.");
            }
        }

        return counts;
    }
}
