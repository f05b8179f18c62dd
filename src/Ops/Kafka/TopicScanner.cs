using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Kafka;

/// <summary>A partition's retained offsets: [Start, End).</summary>
internal sealed record PartitionRange(string Topic, int Partition, long Start, long End)
{
    public long Records => End - Start;
}

/// <summary>What a scan read: the partitions' ranges, and for partitions whose oldest records were deleted, the time of
/// the oldest record left.</summary>
internal sealed record TopicScan(IReadOnlyList<PartitionRange> Partitions, IReadOnlyDictionary<string, DateTimeOffset> RetainedSince)
{
    /// <summary>
    /// Since when a topic's history is complete: the latest "oldest record left" of its truncated partitions, or null
    /// when nothing was ever deleted from it. Before that time, records may be missing.
    /// </summary>
    public DateTimeOffset? CompleteSince(string topic) => RetainedSince.TryGetValue(topic, out var since) ? since : null;
}

/// <summary>
/// Reads whole topics as they are when the scan starts, outside any consumer group (partitions are assigned, nothing
/// is committed), and reads their offsets. Neither the embedded broker nor every real one can look offsets up by
/// time, so time filters apply to what is read.
/// </summary>
internal sealed class TopicScanner(KafkaClientFactory clients, TimeProvider time)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long a scan may go without a record or an end-of-partition before it gives up.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Partition counts of the topics that exist (missing ones are absent from the answer).</summary>
    public IReadOnlyDictionary<string, int> PartitionCounts(IEnumerable<string> topics)
    {
        using var admin = clients.CreateAdmin();
        var wanted = topics.ToHashSet(StringComparer.Ordinal);
        return admin.GetMetadata(RequestTimeout).Topics
            .Where(t => wanted.Contains(t.Topic) && t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
    }

    /// <summary>Every partition's retained range; a missing topic is an error naming it.</summary>
    public IReadOnlyList<PartitionRange> Ranges(IReadOnlyCollection<string> topics)
    {
        using var consumer = Consumer();
        return Ranges(consumer, Existing(topics));
    }

    /// <summary>Committed offsets of a consumer group (null where it committed none). Nothing joins the group.</summary>
    public IReadOnlyDictionary<(string Topic, int Partition), long?> Committed(string group, IEnumerable<PartitionRange> partitions)
    {
        using var consumer = clients.ConsumerBuilder<byte[]?, byte[]?>(group, "ops-lag").Build();
        var committed = consumer.Committed(partitions.Select(p => new TopicPartition(p.Topic, p.Partition)), RequestTimeout);
        return committed.ToDictionary(c => (c.Topic, c.Partition.Value), c => c.Offset.IsSpecial ? (long?)null : c.Offset.Value);
    }

    /// <summary>Reads every record of <paramref name="topics"/> up to their ends at the start of the scan.</summary>
    public Task<TopicScan> ScanAsync(IReadOnlyCollection<string> topics, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancellationToken) =>
        Task.Run(() => Scan(Existing(topics), onRecord, cancellationToken), cancellationToken);

    private IReadOnlyDictionary<string, int> Existing(IReadOnlyCollection<string> topics)
    {
        var counts = PartitionCounts(topics);
        var missing = topics.Where(t => !counts.ContainsKey(t)).ToList();
        return missing.Count == 0
            ? counts
            : throw new OpsException($"Topic {string.Join(", ", missing)} does not exist on the cluster (check the topic prefix, or run 'topology apply').");
    }

    private TopicScan Scan(IReadOnlyDictionary<string, int> topics, Action<ConsumeResult<byte[]?, byte[]?>> onRecord, CancellationToken cancellationToken)
    {
        using var consumer = Consumer();
        var ranges = Ranges(consumer, topics);
        var pending = ranges.Where(r => r.Records > 0).ToDictionary(r => (r.Topic, r.Partition));
        var retainedSince = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (pending.Count == 0)
        {
            return new TopicScan(ranges, retainedSince);
        }

        consumer.Assign(pending.Values.Select(r => new TopicPartitionOffset(r.Topic, r.Partition, r.Start)));
        try
        {
            var lastProgress = time.GetTimestamp();
            while (pending.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    if (time.GetElapsedTime(lastProgress) > StallTimeout)
                    {
                        throw new OpsException($"Reading stalled before the end of {string.Join(", ", pending.Keys.Select(k => $"{k.Topic}/{k.Partition}"))}.");
                    }

                    continue;
                }

                lastProgress = time.GetTimestamp();
                var key = (result.Topic, result.Partition.Value);
                if (!pending.TryGetValue(key, out var range))
                {
                    continue;
                }

                if (!result.IsPartitionEOF)
                {
                    if (result.Offset.Value == range.Start && range.Start > 0)
                    {
                        var since = result.Message.Timestamp.UtcDateTime;
                        retainedSince[range.Topic] = retainedSince.TryGetValue(range.Topic, out var known) && known > since ? known : since;
                    }

                    onRecord(result);
                }

                // The end-of-partition event also covers a range whose last offsets hold no record (transaction markers).
                if (result.Offset.Value >= range.End - (result.IsPartitionEOF ? 0 : 1))
                {
                    pending.Remove(key);
                }
            }
        }
        finally
        {
            consumer.Unassign();
        }

        return new TopicScan(ranges, retainedSince);
    }

    private static List<PartitionRange> Ranges(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyDictionary<string, int> topics) =>
        topics.OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => Enumerable.Range(0, t.Value).Select(partition =>
            {
                var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition(t.Key, partition), RequestTimeout);
                return new PartitionRange(t.Key, partition, watermarks.Low.Value, watermarks.High.Value);
            }))
            .ToList();

    private IConsumer<byte[]?, byte[]?> Consumer() =>
        // The group id only satisfies the client. Uncommitted records too: a scan shows what the partitions hold.
        clients.AssignedConsumer("cinematic-ops", "ops-scan", c => c.IsolationLevel = IsolationLevel.ReadUncommitted);
}
