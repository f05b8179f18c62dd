using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>
/// Follows partitions until cancelled: assigned, never subscribed, no group, no commits, like <see cref="PartitionReader"/>
/// but without an end. For projections every instance builds from whole topics and for listeners that only care about what
/// arrives from now on.
/// </summary>
public sealed partial class PartitionTailer(KafkaClientFactory clients, string purpose, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Hands every record of <paramref name="partitions"/> from <paramref name="from"/> on to <paramref name="onRecord"/>,
    /// in order within a partition, until <paramref name="cancellationToken"/> is cancelled; then returns.
    /// <paramref name="onCaughtUp"/> is called once, with the time it took, when every partition has been read to its end
    /// (as it was when the reader got there). Kafka errors are logged and reading goes on: the client recovers by itself.
    /// </summary>
    public async Task RunAsync(IReadOnlyCollection<TopicPartition> partitions, Offset from,
        Func<ConsumeResult<byte[]?, byte[]?>, CancellationToken, Task> onRecord, Action<TimeSpan>? onCaughtUp, CancellationToken cancellationToken)
    {
        using var consumer = clients.AssignedConsumer($"{clients.Options.ClientId}.{purpose}.{Guid.NewGuid():N}", purpose,
            // A partition at its end answers a fetch after this long: keeps every record after the end from waiting on
            // librdkafka's default of 500 ms.
            c => c.FetchWaitMaxMs = Math.Min(c.FetchWaitMaxMs ?? 100, 100));
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, from)));
        var unread = new HashSet<TopicPartition>(partitions);
        var started = time.GetTimestamp();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ConsumeResult<byte[]?, byte[]?>? result;
                try
                {
                    // Consume blocks; the pool thread is given back while it waits.
                    result = await Task.Run(() => consumer.Consume(PollInterval), CancellationToken.None);
                }
                catch (ConsumeException e)
                {
                    LogConsumeError(purpose, e.Error.Code, e.Error.Reason);
                    continue;
                }

                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    if (unread.Count > 0 && unread.Remove(result.TopicPartition) && unread.Count == 0)
                    {
                        onCaughtUp?.Invoke(time.GetElapsedTime(started));
                    }

                    continue;
                }

                await onRecord(result, cancellationToken);
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Purpose}: Kafka error {Code}: {Reason}")]
    private partial void LogConsumeError(string purpose, ErrorCode code, string reason);
}
