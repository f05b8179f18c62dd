using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

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
        // No answer yet (null) or a metadata error: asked again at a steady pace until the topics are there or the caller stops.
        var pipeline = new ResiliencePipelineBuilder<List<TopicPartition>?> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<List<TopicPartition>?>
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = Retry,
                ShouldHandle = new PredicateBuilder<List<TopicPartition>?>().Handle<KafkaException>().HandleResult(partitions => partitions is null),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is KafkaException e)
                    {
                        LogMetadataError(logger, e.Error.Code, e.Error.Reason);
                    }

                    return ValueTask.CompletedTask;
                },
            })
            .Build();

        var partitions = await pipeline.ExecuteAsync(async token =>
        {
            var metadata = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(10)), token);
            var found = metadata.Topics
                .Where(t => topics.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0)
                .ToDictionary(t => t.Topic, StringComparer.Ordinal);
            var missing = topics.Where(t => !found.ContainsKey(t)).ToList();
            if (missing.Count > 0)
            {
                LogTopicsMissing(logger, string.Join(", ", missing));
                return null;
            }

            return found.Values.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId))).ToList();
        }, cancellationToken);

        // The pipeline returns only an answer it does not retry (or throws when cancelled).
        return partitions!;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topics {Topics} do not exist yet; retrying")]
    private static partial void LogTopicsMissing(ILogger logger, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading topic metadata failed: Kafka error {Code}: {Reason}")]
    private static partial void LogMetadataError(ILogger logger, ErrorCode code, string reason);
}
