using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>
/// Reads one partition at a time from an offset to its end as it is when the read starts: assigned, never subscribed,
/// no group, no commits. Isolation is the consumers' (read_committed): a reader sees what the project's consumers see.
/// One caller at a time.
/// </summary>
public sealed class PartitionReader : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly TimeProvider _time;

    public PartitionReader(KafkaClientFactory clients, string purpose, TimeProvider time)
    {
        _time = time;
        _consumer = clients.AssignedConsumer($"{clients.Options.ClientId}.{purpose}.reader", purpose + "-reader");
    }

    /// <summary>The offset after the last record of a partition (its high watermark).</summary>
    public long EndOffset(TopicPartition partition) => _consumer.QueryWatermarkOffsets(partition, RequestTimeout).High.Value;

    /// <summary>
    /// Hands every record of [<paramref name="from"/>, end at call time) to <paramref name="onRecord"/>, in order.
    /// Throws <see cref="TimeoutException"/> when the partition stops yielding records before its end (a log truncated by
    /// retention, an unreachable leader) for <see cref="RequestTimeout"/>.
    /// </summary>
    public async Task<long> ReadAsync(TopicPartition partition, long from, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancellationToken)
    {
        var end = EndOffset(partition);
        await ReadRangeAsync(partition, from, end, onRecord, cancellationToken);
        return end;
    }

    /// <summary>Hands every record of [<paramref name="from"/>, <paramref name="until"/>) to <paramref name="onRecord"/>, in order.</summary>
    public async Task ReadRangeAsync(TopicPartition partition, long from, long until, Action<ConsumeResult<byte[]?, byte[]?>> onRecord,
        CancellationToken cancellationToken)
    {
        if (from >= until)
        {
            return;
        }

        _consumer.Assign(new TopicPartitionOffset(partition, new Offset(from)));
        try
        {
            var next = from;
            var idleSince = _time.GetTimestamp();
            while (next < until)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Consume blocks; the pool thread is given back while it waits.
                var result = await Task.Run(() => _consumer.Consume(TimeSpan.FromMilliseconds(200)), cancellationToken);
                if (result is null)
                {
                    if (_time.GetElapsedTime(idleSince) > RequestTimeout)
                    {
                        throw new TimeoutException($"Reading {partition} stopped at offset {next} before {until}.");
                    }

                    continue;
                }

                idleSince = _time.GetTimestamp();
                if (result.IsPartitionEOF)
                {
                    return;
                }

                next = result.Offset.Value + 1;
                if (result.Offset.Value < until)
                {
                    onRecord(result);
                }
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
