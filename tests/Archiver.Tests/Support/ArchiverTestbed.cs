using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Archiver.Tests.Support;

/// <summary>
/// The shared <see cref="PipelineTestbed"/> (a topology under a fresh prefix, the shared S3 and registry, provider
/// simulators, services as OS processes) with what archiver tests add: archivers allowed to fetch from the
/// simulators' loopback origins, completed events to publish, the archiver's events to read back, its /metrics.
/// </summary>
public sealed class ArchiverTestbed : IAsyncDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private int _started;

    private ArchiverTestbed(PipelineTestbed pipeline, int partitions)
    {
        Pipeline = pipeline;
        Partitions = partitions;
        Outputs = new ProviderOutputs(pipeline.Simulators);
        _producer = pipeline.Stack.Kafka.ClientFactory(pipeline.Prefix).CreateProducer<string, byte[]>("test-completed");
    }

    public PipelineTestbed Pipeline { get; }

    public int Partitions { get; }

    /// <summary>Jobs on this testbed's simulators, for real output URLs.</summary>
    public ProviderOutputs Outputs { get; }

    /// <summary>The group id PipelineTestbed gives the archiver.</summary>
    public string GroupId => Pipeline.Prefix + "archiver";

    public static async Task<ArchiverTestbed> StartAsync(string test, int partitions = 4) =>
        new(await PipelineTestbed.StartAsync(test, partitions, latencyMs: 50), partitions);

    /// <summary>
    /// An archiver process allowed to fetch from the simulators and <paramref name="extraOrigins"/>, with quick
    /// retries and presigned links; <paramref name="settings"/> override (configuration keys, ':' separated).
    /// </summary>
    public RunningService StartArchiver(IEnumerable<string>? extraOrigins = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var (listen, baseUrl) = RunningService.OnFreePort();
        var configuration = new Dictionary<string, string>(listen)
        {
            ["Archiver:Stream:RetryBackoff"] = "00:00:00.100",
            ["Archiver:Download:RetryDeadline"] = "00:00:01.500",
            ["Archiver:Download:InitialBackoff"] = "00:00:00.100",
            ["Archiver:Download:MaxBackoff"] = "00:00:00.400",
            ["Archiver:PresignedUrlExpiry"] = "00:30:00",
        };
        var origins = Outputs.Origins.Concat(extraOrigins ?? []).ToList();
        for (var i = 0; i < origins.Count; i++)
        {
            configuration[$"Archiver:Download:LoopbackOrigins:{i}"] = origins[i];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        var process = Pipeline.StartService("Archiver", $"archiver-{Interlocked.Increment(ref _started)}", configuration);
        return new RunningService(process, baseUrl);
    }

    public async Task PublishAsync(IEnumerable<TransformationCompleted> events)
    {
        var topic = Pipeline.Topic(Topics.Completed);
        var serializer = Pipeline.Serdes.Serializer<TransformationCompleted>();
        foreach (var completed in events)
        {
            var value = await serializer.SerializeAsync(completed, topic);
            await _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = completed.TenantId, Value = value });
        }
    }

    /// <summary>A topic's events (waiting for <paramref name="expected"/>, then reading on briefly so extras show).</summary>
    public async Task<List<Published<T>>> ReadAsync<T>(string contractTopic, int expected, TimeSpan? timeout = null)
        where T : class, ICinematicEvent
    {
        var records = await TopicReader.ReadAsync<string, T>(Pipeline.Stack.Kafka.BootstrapServers, Pipeline.Topic(contractTopic), expected,
            Pipeline.Serdes.Deserializer<T>(), timeout);
        return records.Select(r => new Published<T>(r.Message.Key,
            r.Message.Headers.TryGetLastBytes(StreamHeaders.Identity, out var identity) ? Encoding.UTF8.GetString(identity) : null,
            r.Message.Value)).ToList();
    }

    /// <summary>Waits until the archiver's group has committed every input record (so it has nothing left to publish).</summary>
    public async Task WaitForCommittedAsync(long total, TimeSpan timeout)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Pipeline.Stack.Kafka.BootstrapServers, GroupId = GroupId }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Pipeline.Topic(Topics.Completed), p)).ToList();
        var deadline = DateTime.UtcNow + timeout;
        long committed;
        do
        {
            committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10)).Sum(c => Math.Max(0, c.Offset.Value));
            if (committed >= total)
            {
                return;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"The archiver committed {committed} of {total} completed events within {timeout}. {Tail()}");
    }

    /// <summary>How many records a topic holds, waiting until there are at least <paramref name="atLeast"/> (or the time is up).</summary>
    public Task<long> CountAsync(string contractTopic, long atLeast, TimeSpan timeout) => Task.Run(() =>
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Pipeline.Stack.Kafka.BootstrapServers, GroupId = $"count-{Guid.NewGuid():N}" }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Pipeline.Topic(contractTopic), p)).ToList();
        long Count() => partitions.Sum(p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
        var deadline = DateTime.UtcNow + timeout;
        var count = Count();
        while (count < atLeast && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
            count = Count();
        }

        return count;
    });

    /// <summary>The last lines the services wrote, for the message of a failing assertion.</summary>
    public string Tail(int lines = 40) => string.Join(Environment.NewLine, Pipeline.Logs.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await Pipeline.DisposeAsync();
    }
}

/// <summary>An event as published: its key (the tenant), the identity header the stream runtime put on it, its value.</summary>
public sealed record Published<T>(string Key, string? Identity, T Value);
