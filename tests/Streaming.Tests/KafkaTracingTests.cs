using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>
/// W3C trace context through record headers on the embedded cluster: the send span's context is what a consumer
/// reads, and the process span continues it. The tests of this class run one after another, and only they listen.
/// </summary>
[Trait("Category", "Stack")]
public sealed class KafkaTracingTests
{
    private static readonly ActivitySource Upload = new("KafkaTracingTests");

    [Fact]
    public async Task A_send_span_puts_its_context_in_the_record_and_the_process_span_continues_and_links_it()
    {
        var (clients, topic) = await TopicAsync("traced");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is KafkaTracing.SourceName or "KafkaTracingTests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        using var producer = clients.CreateProducer<string, byte[]>("traced");
        Activity upload;
        using (upload = Upload.StartActivity("upload")!)
        {
            await producer.ProduceTracedAsync(topic, new Message<string, byte[]> { Key = "tenant-a", Value = [1, 2, 3] });
            Assert.Same(upload, Activity.Current);
        }

        var send = Assert.Single(stopped, a => a.DisplayName == $"send {topic}");
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(upload.SpanId, send.ParentSpanId);
        Assert.Equal("kafka", send.GetTagItem("messaging.system"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.type"));
        Assert.Equal(topic, send.GetTagItem("messaging.destination.name"));
        Assert.Equal("tenant-a", send.GetTagItem("messaging.kafka.message.key"));
        Assert.Equal(0L, send.GetTagItem("messaging.kafka.offset"));

        var record = Consume(clients, topic);
        Assert.Equal($"00-{send.TraceId}-{send.SpanId}-01", Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("traceparent")));
        using (var process = KafkaTracing.StartProcess("group-a", record.TopicPartitionOffset, record.Message.Key, record.Message.Headers)!)
        {
            Assert.Equal(ActivityKind.Consumer, process.Kind);
            Assert.Equal($"process {topic}", process.DisplayName);
            Assert.Equal(send.TraceId, process.TraceId);
            Assert.Equal(send.SpanId, process.ParentSpanId);
            Assert.Equal(send.SpanId, Assert.Single(process.Links).Context.SpanId);
            Assert.Equal("group-a", process.GetTagItem("messaging.consumer.group.name"));
            Assert.Equal("0", process.GetTagItem("messaging.destination.partition.id"));
        }

        // A record without a context starts a trace of its own, whatever span happens to be ambient.
        using (Upload.StartActivity("unrelated"))
        {
            using var orphan = KafkaTracing.StartProcess("group-a", record.TopicPartitionOffset, null, [])!;
            Assert.Equal(default, orphan.ParentSpanId);
            Assert.Empty(orphan.Links);
        }
    }

    [Fact]
    public async Task Without_tracing_a_derived_record_carries_the_context_of_its_original_on_and_the_last_context_counts()
    {
        var (clients, topic) = await TopicAsync("untraced");
        var original = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using var producer = clients.CreateProducer<string, byte[]>("untraced");

        await producer.ProduceTracedAsync(topic, new Message<string, byte[]> { Key = "k", Value = [1] }, original);
        await producer.ProduceTracedAsync(topic, new Message<string, byte[]> { Key = "k", Value = [2] });

        var derived = Consume(clients, topic, 2);
        var carried = KafkaTracing.Extract(derived[0].Message.Headers);
        Assert.Equal((original.TraceId, original.SpanId, original.TraceFlags), (carried.TraceId, carried.SpanId, carried.TraceFlags));
        Assert.Null(derived[1].Message.Headers?.FirstOrDefault(h => h.Key == "traceparent"));

        var copied = new Headers
        {
            { "traceparent", Encoding.ASCII.GetBytes($"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01") },
            { "traceparent", Encoding.ASCII.GetBytes($"00-{original.TraceId}-{original.SpanId}-01") },
        };
        Assert.Equal(original.SpanId, KafkaTracing.Extract(copied).SpanId);
    }

    private static async Task<(KafkaClientFactory Clients, string Topic)> TopicAsync(string name)
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix(name);
        await stack.Kafka.CreateTopicAsync(prefix + "events", 1);
        return (stack.Kafka.ClientFactory(prefix), prefix + "events");
    }

    private static ConsumeResult<string, byte[]> Consume(KafkaClientFactory clients, string topic) => Consume(clients, topic, 1)[0];

    private static List<ConsumeResult<string, byte[]>> Consume(KafkaClientFactory clients, string topic, int count)
    {
        using var consumer = clients.ConsumerBuilder<string, byte[]>(topic + ".reader", "test").Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        var records = new List<ConsumeResult<string, byte[]>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                records.Add(record);
            }
        }

        Assert.Equal(count, records.Count);
        return records;
    }
}
