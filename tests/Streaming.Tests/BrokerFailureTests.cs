using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>
/// A broker goes down mid-stream, and produce requests fail and time out, while records are in flight:
/// the idempotent producer (acks=all) still delivers every record exactly once and in order per partition.
/// </summary>
[Trait("Category", "Stack")]
public sealed class BrokerFailureTests
{
    [Fact]
    public async Task Idempotent_producer_delivers_every_record_exactly_once_when_a_broker_goes_down_mid_stream()
    {
        using var kafka = TestKafka.StartPrivate(brokers: 3);
        const string topic = "faults";
        const int partitions = 3;
        const int count = 3000;
        await kafka.CreateTopicAsync(topic, partitions);
        var clients = kafka.ClientFactory();

        using var producer = clients.CreateProducer<string, string>("faults", configure: c =>
        {
            c.LingerMs = 2;
            c.BatchNumMessages = 50;
        });
        var deliveries = new List<Task<DeliveryResult<string, string>>>();
        for (var i = 0; i < count; i++)
        {
            deliveries.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = $"tenant-{i % 31}", Value = i.ToString("D5") }));
            if (i == count / 3)
            {
                // Lost acknowledgements and leader churn make the producer retry batches the broker may already hold.
                kafka.Faults.InjectRequestErrors(KafkaApi.Produce,
                    ErrorCode.RequestTimedOut, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas);
                // Lost acknowledgements and leader churn make the producer retry batches the broker may already hold.
                kafka.Faults.SetBrokerDown(1);
                for (var p = 0; p < partitions; p++)
                {
                    kafka.Faults.SetPartitionLeader(topic, p, 2 + (p % 2));
                }
            }
            else if (i == 2 * count / 3)
            {
                kafka.Faults.SetBrokerUp(1);
                kafka.Faults.SetPartitionLeader(topic, 0, 1);
            }

            if (i % 100 == 0)
            {
                await Task.Delay(20);
            }
        }

        var results = await Task.WhenAll(deliveries);
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));

        var records = await TopicReader.ReadAsync<string, string>(kafka.BootstrapServers, topic, count);
        var values = records.Select(r => int.Parse(r.Message.Value)).ToList();
        Assert.Equal(count, values.Count);
        Assert.Equal(Enumerable.Range(0, count), values.Order());
        foreach (var partition in records.GroupBy(r => r.Partition.Value))
        {
            var sequence = partition.Select(r => int.Parse(r.Message.Value)).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }
    }
}
