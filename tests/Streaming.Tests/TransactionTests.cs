using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>
/// What the runtime relies on when another producer writes to its partitions in transactions: the project itself writes
/// none (its exactly-once is the read-back protocol, DESIGN.md "Dependencies"), but a committed transaction leaves a
/// marker after its records, so a partition's end can be an offset that holds no record.
/// </summary>
[Trait("Category", "Stack")]
public sealed class TransactionTests
{
    [Fact]
    public async Task A_partition_that_ends_in_a_transaction_marker_is_read_to_its_end()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("txn");
        var topic = prefix + "input";
        await stack.Kafka.CreateTopicAsync(topic, 1);
        var clients = stack.Kafka.ClientFactory(prefix);
        var partition = new TopicPartition(topic, 0);

        using (var producer = clients.CreateProducer<string, string>("txn", configure: c =>
        {
            c.TransactionalId = prefix + "tx";
            // librdkafka refuses a message timeout longer than the transaction timeout (60 s).
            c.MessageTimeoutMs = 60000;
        }))
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
            producer.BeginTransaction();
            for (var i = 0; i < 5; i++)
            {
                producer.Produce(topic, new Message<string, string> { Key = "tenant", Value = $"v{i}" });
            }

            producer.CommitTransaction(TimeSpan.FromSeconds(30));
        }

        using var reader = new PartitionReader(clients, "txn", TimeProvider.System);
        // The commit marker sits after the five records: the end is beyond the last record.
        Assert.Equal(6, reader.EndOffset(partition));

        var values = new List<string>();
        var end = await reader.ReadAsync(partition, 0, r => values.Add(Encoding.UTF8.GetString(r.Message.Value!)), CancellationToken.None);

        Assert.Equal(6, end);
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], values);
    }
}
