using Confluent.Kafka;

namespace CinematicSwitch.Testing;

/// <summary>Reads a topic from the beginning, outside any service's consumer group.</summary>
public static class TopicReader
{
    /// <summary>
    /// Reads until <paramref name="expected"/> records arrived (or the deadline passed), then keeps reading
    /// briefly so that anything beyond — a duplicate — is seen too.
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
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        };
        var builder = new ConsumerBuilder<TKey, TValue>(config);
        if (valueDeserializer is not null)
        {
            builder.SetValueDeserializer(valueDeserializer);
        }

        using var reader = builder.Build();
        reader.Subscribe(topic);
        var records = new List<ConsumeResult<TKey, TValue>>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (records.Count < expected && DateTime.UtcNow < deadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                records.Add(result);
            }
        }

        while (reader.Consume(TimeSpan.FromSeconds(1)) is { } extra)
        {
            records.Add(extra);
        }

        reader.Close();
        return records;
    });
}
