using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// Reads partitions directly (assign, never subscribe): changelogs and output logs during recovery, and
/// end offsets. One instance is used by one caller at a time.
/// </summary>
internal sealed class TopicReaderClient : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly IConsumer<byte[]?, byte[]?> _consumer;

    public TopicReaderClient(KafkaClientFactory clients, string groupId) =>
        _consumer = clients.ConsumerBuilder<byte[]?, byte[]?>(groupId + ".reader", "reader", c =>
        {
            // Read everything as written: recovery must see every output that was acknowledged.
            c.IsolationLevel = IsolationLevel.ReadUncommitted;
            c.EnableAutoCommit = false;
        }).Build();

    /// <summary>The offset after the last record of a partition (its high watermark).</summary>
    public long EndOffset(TopicPartition partition) => _consumer.QueryWatermarkOffsets(partition, RequestTimeout).High.Value;

    /// <summary>Reads [<paramref name="from"/>, end at call time) of a partition.</summary>
    public async Task ReadAsync(TopicPartition partition, long from, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancellationToken)
    {
        var end = EndOffset(partition);
        if (from >= end)
        {
            return;
        }

        _consumer.Assign(new TopicPartitionOffset(partition, new Offset(from)));
        try
        {
            var lastSeen = from - 1;
            var idleSince = DateTime.UtcNow;
            while (lastSeen < end - 1)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await Task.Run(() => _consumer.Consume(TimeSpan.FromMilliseconds(200)), cancellationToken);
                if (result is null)
                {
                    // A truncated log (retention) can leave the end unreachable; do not wait forever.
                    if (DateTime.UtcNow - idleSince > RequestTimeout)
                    {
                        throw new TimeoutException($"Reading {partition} stopped at offset {lastSeen} before its end {end}.");
                    }

                    continue;
                }

                idleSince = DateTime.UtcNow;
                lastSeen = result.Offset.Value;
                onRecord(result);
            }
        }
        finally
        {
            _consumer.Unassign();
        }
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
