using System.Text;
using System.Threading.Channels;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>The tailer behind the status projection (reads from the beginning, ready once caught up) and the job-events listener (from the end).</summary>
[Trait("Category", "Stack")]
public sealed class PartitionTailerTests
{
    [Fact]
    public async Task From_the_beginning_it_reads_every_partition_reports_catching_up_once_and_then_follows_new_records()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("tail");
        var topic = prefix + "input";
        await stack.Kafka.CreateTopicAsync(topic, 3);
        var clients = stack.Kafka.ClientFactory(prefix);
        var partitions = Enumerable.Range(0, 3).Select(p => new TopicPartition(topic, p)).ToList();
        using var producer = clients.CreateProducer<string, string>("tail");
        // Partition 2 stays empty: its end is its beginning, and it must still count as read.
        await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = "a", Value = "before-0" });
        await producer.ProduceAsync(new TopicPartition(topic, 1), new Message<string, string> { Key = "b", Value = "before-1" });

        var records = Channel.CreateUnbounded<string>();
        var caughtUp = 0;
        var seenWhenCaughtUp = -1;
        var seen = 0;
        var caughtUpSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var run = new PartitionTailer(clients, "tail", TimeProvider.System, NullLogger.Instance).RunAsync(partitions, Offset.Beginning,
            (result, _) =>
            {
                seen++;
                records.Writer.TryWrite(Encoding.UTF8.GetString(result.Message.Value!));
                return Task.CompletedTask;
            },
            _ =>
            {
                seenWhenCaughtUp = seen;
                Interlocked.Increment(ref caughtUp);
                caughtUpSignal.TrySetResult();
            },
            stop.Token);

        await caughtUpSignal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, seenWhenCaughtUp);
        var before = new[] { await NextAsync(records), await NextAsync(records) };
        Assert.Equal(["before-0", "before-1"], before.Order());

        // Records after the end are followed, and reaching the end again does not report catching up again.
        await producer.ProduceAsync(new TopicPartition(topic, 2), new Message<string, string> { Key = "c", Value = "after-2" });
        Assert.Equal("after-2", await NextAsync(records));
        await producer.ProduceAsync(new TopicPartition(topic, 0), new Message<string, string> { Key = "a", Value = "after-0" });
        Assert.Equal("after-0", await NextAsync(records));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, caughtUp);
    }

    [Fact]
    public async Task From_the_end_it_hands_over_only_records_written_after_it_started()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("tail-end");
        var topic = prefix + "input";
        await stack.Kafka.CreateTopicAsync(topic, 1);
        var clients = stack.Kafka.ClientFactory(prefix);
        var partition = new TopicPartition(topic, 0);
        using var producer = clients.CreateProducer<string, string>("tail");
        await producer.ProduceAsync(partition, new Message<string, string> { Key = "a", Value = "old" });

        var records = Channel.CreateUnbounded<string>();
        var caughtUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var run = new PartitionTailer(clients, "tail", TimeProvider.System, NullLogger.Instance).RunAsync([partition], Offset.End,
            (result, _) =>
            {
                records.Writer.TryWrite(Encoding.UTF8.GetString(result.Message.Value!));
                return Task.CompletedTask;
            },
            _ => caughtUp.TrySetResult(),
            stop.Token);

        // At its end, the tailer has its position: what is written now is after it.
        await caughtUp.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await producer.ProduceAsync(partition, new Message<string, string> { Key = "a", Value = "new" });

        Assert.Equal("new", await NextAsync(records));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(records.Reader.TryRead(out var extra), extra);
    }

    private static async Task<string> NextAsync(Channel<string> records) =>
        await records.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
}
