using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>Every partition of some topics, for readers that assign them all (no group), once the topics exist.</summary>
public static partial class TopicDiscovery
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);

    /// <summary>Waits until every topic exists (a fresh cluster may not have them yet), retrying and logging what is missing.</summary>
    public static async Task<List<TopicPartition>> PartitionsAsync(KafkaClientFactory clients, IReadOnlyCollection<string> topics, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        using var admin = clients.CreateAdmin();
        while (true)
        {
            try
            {
                var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(10)), cancellationToken);
                var found = metadata.Topics
                    .Where(t => topics.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0)
                    .ToDictionary(t => t.Topic, StringComparer.Ordinal);
                var missing = topics.Where(t => !found.ContainsKey(t)).ToList();
                if (missing.Count == 0)
                {
                    return found.Values.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
                }

                LogTopicsMissing(logger, string.Join(", ", missing));
            }
            catch (KafkaException e)
            {
                LogMetadataError(logger, e.Error.Code, e.Error.Reason);
            }

            await Task.Delay(Retry, time, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topics {Topics} do not exist yet; retrying")]
    private static partial void LogTopicsMissing(ILogger logger, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading topic metadata failed: Kafka error {Code}: {Reason}")]
    private static partial void LogMetadataError(ILogger logger, ErrorCode code, string reason);
}
