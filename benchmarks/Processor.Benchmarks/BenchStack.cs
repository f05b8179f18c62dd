using System.Diagnostics;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Topology;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>The embedded stack and provider simulators every scenario of the run shares.</summary>
internal sealed class BenchStack : IAsyncDisposable
{
    // One long-lived publisher, as Ingest has: a producer made per scenario spends its first second finding the
    // cluster, and requests stamped meanwhile would charge that second to the processor.
    private readonly IProducer<string, byte[]> _publisher;

    private BenchStack(EmbeddedStack stack, ProviderSimulators simulators, int partitions)
    {
        Stack = stack;
        Simulators = simulators;
        Partitions = partitions;
        Serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        _publisher = Producer();
    }

    public EmbeddedStack Stack { get; }

    public ProviderSimulators Simulators { get; }

    public int Partitions { get; }

    public EventSerdes Serdes { get; }

    public string BootstrapServers => Stack.Kafka.BootstrapServers;

    public static async Task<BenchStack> StartAsync(int partitions)
    {
        var stack = await EmbeddedStack.StartAsync(
            new DevStackOptions { S3Port = 0, DataDirectory = ".devstack-bench" },
            new TopologyOptions { Partitions = partitions, ReplicationFactor = 3 },
            NullLoggerFactory.Instance, CancellationToken.None);
        var simulators = await ProviderSimulators.StartAsync(new SimulatorOptions(), CancellationToken.None);
        return new BenchStack(stack, simulators, partitions);
    }

    /// <summary>The project's topology under a fresh prefix: each scenario has topics of its own.</summary>
    public async Task<string> NewTopologyAsync(string scenario)
    {
        var prefix = $"bench-{scenario}-{Guid.NewGuid():N}"[..24] + ".";
        await Stack.Kafka.ApplyAsync(CinematicTopology.Topics(new TopologyOptions { Partitions = Partitions, ReplicationFactor = 3 }, prefix),
            createMissing: true, CancellationToken.None);
        return prefix;
    }

    public IProducer<string, byte[]> Producer() =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            EnableIdempotence = true,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
        }).Build();

    public static TransformationRequested Request(int i, int tenants) => new(
        Guid.NewGuid(), $"tenant-{i % tenants:D3}", Guid.NewGuid().ToString(), "bench", DateTimeOffset.UtcNow, TransformationTask.ImageTransform,
        new MediaReference("https://media.example/input.png", "image/png", MediaKind.Image, 1000, "00"),
        $"a medieval knight in a castle, request {i}", null, null, 1, "16:9", null, null, null);

    /// <summary>Publishes requests, all at once or at a fixed rate (open loop), stamping each with its publication time.</summary>
    /// <param name="shape">Changes each request before it is published.</param>
    public async Task PublishAsync(string prefix, int count, int tenants, double? perSecond = null, Func<TransformationRequested, TransformationRequested>? shape = null)
    {
        var topic = prefix + Topics.Requested;
        var serializer = Serdes.Serializer<TransformationRequested>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (perSecond is { } rate)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
            }

            var request = (shape?.Invoke(Request(i, tenants)) ?? Request(i, tenants)) with { OccurredAt = DateTimeOffset.UtcNow };
            _publisher.Produce(topic, new Message<string, byte[]> { Key = request.TenantId, Value = await serializer.SerializeAsync(request, topic) });
        }

        _publisher.Flush(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        _publisher.Dispose();
        Serdes.Dispose();
        await Simulators.DisposeAsync();
        await Stack.DisposeAsync();
    }
}
