using System.Diagnostics.Metrics;
using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>Topics, a producer and processors of the recording handler, under one test's prefix.</summary>
public sealed class StreamProcessorHarness : IAsyncDisposable
{
    private readonly List<(StreamProcessor<TestCommand, TestCommand> Processor, CancellationTokenSource Stop, Task Run)> _running = [];
    private readonly ServiceProvider _services;

    private StreamProcessorHarness(TestKafka kafka, string prefix, int partitions)
    {
        Kafka = kafka;
        Prefix = prefix;
        Partitions = partitions;
        Clients = kafka.ClientFactory(prefix);
        _services = new ServiceCollection().AddMetrics().AddSingleton<IAsyncSerializer<TestDone>>(Serdes).BuildServiceProvider();
        Definition = new StreamBuilder().From("input").WithState("state").DeadLettersTo("dlq").Emits<TestDone>("output").Build(_services, t => prefix + t);
    }

    public StreamDefinition Definition { get; }

    public StreamTopics Topics => Definition.Topics;

    public TestSerdes Serdes { get; } = new();

    public TestKafka Kafka { get; }

    public string Prefix { get; }

    public int Partitions { get; }

    public KafkaClientFactory Clients { get; }

    public string Group => Prefix + "group";

    public static async Task<StreamProcessorHarness> CreateAsync(TestKafka kafka, string test, int partitions)
    {
        var harness = new StreamProcessorHarness(kafka, TestKafka.NewPrefix(test), partitions);
        foreach (var topic in new[] { harness.Topics.Input, harness.Topics.State, harness.Topics.DeadLetter, harness.Topics.Outputs[0] })
        {
            await kafka.CreateTopicAsync(topic, partitions);
        }

        return harness;
    }

    public StreamProcessorOptions Options(int maxInFlight = 16) => new()
    {
        GroupId = Group,
        MaxInFlight = maxInFlight,
        CommitInterval = TimeSpan.FromMilliseconds(200),
        RetryBackoff = TimeSpan.FromMilliseconds(50),
        MaxRetryBackoff = TimeSpan.FromMilliseconds(200),
        RevokeDrainTimeout = TimeSpan.FromSeconds(5),
        ShutdownDrainTimeout = TimeSpan.FromSeconds(10),
    };

    public RecordingHandler Start(StreamProcessorOptions? options = null)
    {
        var handler = new RecordingHandler();
        options ??= Options();
        var processor = new StreamProcessor<TestCommand, TestCommand>(Clients, options, Definition, handler, Serdes,
            new StreamHealth(options, TimeProvider.System), _services.GetRequiredService<IMeterFactory>(), TimeProvider.System, NullLogger.Instance);
        var stop = new CancellationTokenSource();
        _running.Add((processor, stop, processor.RunAsync(stop.Token)));
        return handler;
    }

    /// <summary>Stops the processors started so far (gracefully: drain, commit, leave the group).</summary>
    public async Task StopAllAsync()
    {
        foreach (var (processor, stop, run) in _running)
        {
            await stop.CancelAsync();
            await run;
            processor.Dispose();
            stop.Dispose();
        }

        _running.Clear();
    }

    public async Task ProduceAsync(IEnumerable<(string Key, byte[] Value)> records, Headers? headers = null)
    {
        using var producer = Clients.CreateProducer<string, byte[]>("test-input");
        foreach (var (key, value) in records)
        {
            await producer.ProduceAsync(Topics.Input, new Message<string, byte[]> { Key = key, Value = value, Headers = headers });
        }
    }

    public async Task<List<string>> OutputsAsync(int expected) =>
        (await TopicReader.ReadAsync<string, byte[]>(Kafka.BootstrapServers, Topics.Outputs[0], expected))
        .Select(r => Encoding.UTF8.GetString(r.Message.Value)).ToList();

    /// <summary>Waits until the group's committed offsets reach the end of every input partition.</summary>
    public async Task WaitForCommittedAsync(long total, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Kafka.BootstrapServers, GroupId = Group }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topics.Input, p)).ToList();
        var deadline = DateTime.UtcNow + timeout;
        long committed = 0;
        while (DateTime.UtcNow < deadline)
        {
            committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).Sum(c => Math.Max(0, c.Offset.Value));
            if (committed >= total)
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"Committed {committed} of {total} input records within {timeout}.");
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        await _services.DisposeAsync();
    }
}
