using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>
/// The Kafka transactions API over TCP: consume, transform, produce and commit the input offsets in one
/// transaction. The embedded broker accepts transactions but writes no transaction markers and does not
/// store transactional offsets; the processor's exactly-once therefore does not rely on transactions.
/// </summary>
public sealed class TransactionTests
{
    [Fact]
    public async Task Consume_transform_produce_commits_output_and_input_offsets_together()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("txn");
        string input = prefix + "input", output = prefix + "output", group = prefix + "group";
        await stack.Kafka.CreateTopicAsync(input, 3);
        await stack.Kafka.CreateTopicAsync(output, 3);
        var clients = stack.Kafka.ClientFactory(prefix);

        using (var seed = clients.CreateProducer<string, string>("seed"))
        {
            for (var i = 0; i < 60; i++)
            {
                await seed.ProduceAsync(input, new Message<string, string> { Key = $"k{i % 5}", Value = $"v{i}" });
            }
        }

        using var consumer = clients.ConsumerBuilder<string, string>(group, "txn").Build();
        using var producer = clients.CreateProducer<string, string>("txn", configure: c =>
        {
            c.TransactionalId = prefix + "tx";
            c.MessageTimeoutMs = 60000;
        });
        producer.InitTransactions(TimeSpan.FromSeconds(30));
        consumer.Subscribe(input);

        var transformed = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (transformed < 60 && DateTime.UtcNow < deadline)
        {
            var batch = new List<ConsumeResult<string, string>>();
            while (batch.Count < 10 && consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
            {
                batch.Add(result);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            producer.BeginTransaction();
            foreach (var record in batch)
            {
                producer.Produce(output, new Message<string, string> { Key = record.Message.Key, Value = record.Message.Value.ToUpperInvariant() });
            }

            var next = batch.GroupBy(r => r.TopicPartition)
                .Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1));
            producer.SendOffsetsToTransaction(next, consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
            producer.CommitTransaction(TimeSpan.FromSeconds(30));
            transformed += batch.Count;
        }

        Assert.Equal(60, transformed);
        var committed = consumer.Committed(TimeSpan.FromSeconds(10));
        if (stack.Kafka.IsEmbedded)
        {
            // librdkafka's mock broker acknowledges TxnOffsetCommit without storing the offsets (README,
            // "Embedded Kafka"). Pinned here so that a librdkafka that starts storing them is noticed.
            Assert.All(committed, c => Assert.Equal(Offset.Unset, c.Offset));
        }
        else
        {
            Assert.Equal(60, committed.Sum(c => c.Offset.Value));
        }
        consumer.Close();

        var outputs = await TopicReader.ReadAsync<string, string>(stack.Kafka.BootstrapServers, output, 60);
        Assert.Equal(
            Enumerable.Range(0, 60).Select(i => $"V{i}").Order(StringComparer.Ordinal),
            outputs.Select(o => o.Message.Value).Order(StringComparer.Ordinal));
    }
}
