using System.Diagnostics;
using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
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

    /// <param name="lingerMs">How long a record may wait for others to share its batch: 5 for publishers, as the project's producers; the processor's outputs wait 1.</param>
    public IProducer<string, byte[]> Producer(double lingerMs = 5) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            EnableIdempotence = true,
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = lingerMs,
        }).Build();

    /// <summary>Tenant ids as they come ("tenant-000", ...): murmur2 spreads them over the partitions unevenly.</summary>
    public static IReadOnlyList<string> Tenants(int count) => [.. Enumerable.Range(0, count).Select(i => $"tenant-{i:D3}")];

    /// <summary>
    /// Tenant ids chosen so that every partition holds the same number of them, in turn by partition (one of partition 0's,
    /// one of partition 1's, ...): where instances own equal shares of the partitions they own equal shares of the work,
    /// and requests published in this order reach each partition at an even pace.
    /// </summary>
    public IReadOnlyList<string> BalancedTenants(int perPartition)
    {
        var byPartition = Enumerable.Range(0, Partitions).Select(_ => new List<string>()).ToList();
        for (var i = 0; byPartition.Any(p => p.Count < perPartition); i++)
        {
            var tenant = $"tenant-{i:D4}";
            var partition = byPartition[Murmur2.Partition(Encoding.UTF8.GetBytes(tenant), Partitions)];
            if (partition.Count < perPartition)
            {
                partition.Add(tenant);
            }
        }

        return [.. Enumerable.Range(0, perPartition).SelectMany(i => byPartition.Select(p => p[i]))];
    }

    /// <summary>
    /// Request <paramref name="i"/> of <paramref name="tenant"/>, in its input's own ratio: the image goes to Replicate as its
    /// URL (which the simulator does not fetch), where another ratio would make the processor fetch and crop it first.
    /// </summary>
    public static TransformationRequested Request(int i, string tenant) => new(
        Guid.NewGuid(), tenant, Guid.NewGuid().ToString(), "bench", DateTimeOffset.UtcNow, TransformationTask.ImageTransform,
        new MediaReference("https://media.example/input.png", "image/png", MediaKind.Image, 1000, "00"),
        $"a medieval knight in a castle, request {i}", null, null, 1, "original", null, null, null);

    /// <summary>
    /// Publishes requests of the tenants in turn, all at once or at a fixed rate (open loop), stamping each with its
    /// publication time.
    /// </summary>
    public async Task PublishAsync(string prefix, int count, IReadOnlyList<string> tenants, double? perSecond = null)
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

            var request = Request(i, tenants[i % tenants.Count]) with { OccurredAt = DateTimeOffset.UtcNow };
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
