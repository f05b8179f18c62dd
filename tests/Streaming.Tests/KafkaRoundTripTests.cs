using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>Produce and consume over TCP through a consumer group, with the project's client settings.</summary>
[Trait("Category", "Stack")]
public sealed class KafkaRoundTripTests
{
    [Fact]
    public async Task Records_produced_with_the_project_factory_come_back_through_a_consumer_group()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("roundtrip");
        var topic = prefix + "events";
        await stack.Kafka.CreateTopicAsync(topic, 4);
        var clients = stack.Kafka.ClientFactory(prefix);

        var sent = Enumerable.Range(0, 200).Select(i => (Key: $"tenant-{i % 17}", Value: $"event-{i}")).ToList();
        using (var producer = clients.CreateProducer<string, string>("test"))
        {
            foreach (var (key, value) in sent)
            {
                var report = await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = value });
                Assert.Equal(PersistenceStatus.Persisted, report.Status);
            }
        }

        using var consumer = clients.ConsumerBuilder<string, string>(prefix + "group", "test").Build();
        consumer.Subscribe(topic);
        var received = new List<(string Key, string Value)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (received.Count < sent.Count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                received.Add((result.Message.Key, result.Message.Value));
                consumer.StoreOffset(result);
            }
        }

        consumer.Commit();
        Assert.Equal(sent.OrderBy(s => s.Value, StringComparer.Ordinal), received.OrderBy(r => r.Value, StringComparer.Ordinal));
        // Per key, order is kept: all of a tenant's records share a partition.
        foreach (var group in received.GroupBy(r => r.Key))
        {
            Assert.Equal(sent.Where(s => s.Key == group.Key).Select(s => s.Value), group.Select(g => g.Value));
        }

        var committed = consumer.Committed(TimeSpan.FromSeconds(10));
        Assert.Equal(sent.Count, committed.Sum(c => c.Offset.Value));
        consumer.Close();
    }
}
