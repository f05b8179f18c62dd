using Confluent.Kafka;

namespace CinematicSwitch.Testing;

/// <summary>Reads a topic from the beginning, outside any consumer group (partitions are assigned, not subscribed).</summary>
public static class TopicReader
{
    /// <summary>
    /// Reads every partition up to its end, again and again until <paramref name="expected"/> records arrived
    /// (or the timeout passed); then, after a second's pause, once more to its new end, so that anything
    /// beyond the expected count — a duplicate — is seen too.
    /// </summary>
    public static Task<List<ConsumeResult<TKey, TValue>>> ReadAsync<TKey, TValue>(
        string bootstrapServers,
        string topic,
        int expected,
        IDeserializer<TValue>? valueDeserializer = null,
        TimeSpan? timeout = null) => Task.Run(() =>
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        };
        var builder = new ConsumerBuilder<TKey, TValue>(config);
        if (valueDeserializer is not null)
        {
            builder.SetValueDeserializer(valueDeserializer);
        }

        using var reader = builder.Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        reader.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));

        var records = new List<ConsumeResult<TKey, TValue>>();
        var next = partitions.ToDictionary(p => p.Partition.Value, _ => 0L);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        void ReadToEnd()
        {
            var ends = partitions.ToDictionary(p => p.Partition.Value, p => reader.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
            while (ends.Any(e => next[e.Key] < e.Value) && DateTime.UtcNow < deadline)
            {
                if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                {
                    records.Add(result);
                    next[result.Partition.Value] = result.Offset.Value + 1;
                }
            }
        }

        ReadToEnd();
        while (records.Count < expected && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
            ReadToEnd();
        }

        if (expected > 0)
        {
            Thread.Sleep(1000);
            ReadToEnd();
        }

        reader.Close();
        return records;
    });
}
