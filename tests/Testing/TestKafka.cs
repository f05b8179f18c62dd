using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Streaming.Topology;
using Confluent.Kafka;
using DotNet.Testcontainers.Builders;
using Microsoft.Extensions.Logging.Abstractions;
using Testcontainers.Kafka;

namespace CinematicSwitch.Testing;

/// <summary>
/// The Kafka cluster of this test process: a real one from the environment, one in a container (Testcontainers) when a
/// Docker daemon answers, or the embedded one. Tests isolate themselves with a topic prefix and their own consumer groups.
/// </summary>
public sealed class TestKafka : IDisposable
{
    private readonly EmbeddedKafka? _embedded;
    private readonly KafkaContainer? _container;
    private readonly IAdminClient? _admin;
    private readonly ITopicProvisioner _provisioner;

    private TestKafka(string bootstrapServers, EmbeddedKafka? embedded, short replicationFactor, KafkaContainer? container = null)
    {
        BootstrapServers = bootstrapServers;
        _embedded = embedded;
        _container = container;
        ReplicationFactor = replicationFactor;
        if (embedded is null)
        {
            _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
            _provisioner = new AdminClientTopicProvisioner(_admin);
        }
        else
        {
            _provisioner = embedded;
        }
    }

    public string BootstrapServers { get; }

    public short ReplicationFactor { get; }

    /// <summary>Creates topics on this cluster: the embedded cluster's API, or the AdminClient of a real one.</summary>
    public ITopicProvisioner Provisioner => _provisioner;

    /// <summary>True when the tests run against the embedded cluster (which tests may not take apart: use <see cref="StartPrivate"/>).</summary>
    public bool IsEmbedded => _embedded is not null;

    public static TestKafka FromEnvironment()
    {
        TestLane.RequireStack("a Kafka cluster");
        if (TestEnvironment.KafkaBootstrapServers is { } servers)
        {
            return new TestKafka(servers, null, TestEnvironment.KafkaReplicationFactor);
        }

        return TestEnvironment.KafkaSource != "embedded" && StartContainer() is { } container
            ? new TestKafka(container.GetBootstrapAddress(), null, 1, container)
            : Embedded(EmbeddedKafka.Start(3));
    }

    /// <summary>A cluster of its own, for tests that take brokers down or inject errors.</summary>
    public static TestKafka StartPrivate(int brokers = 3)
    {
        TestLane.RequireStack("a Kafka cluster of its own");
        return Embedded(EmbeddedKafka.Start(brokers));
    }

    /// <summary>The embedded cluster, for fault injection. Only available on a private cluster.</summary>
    public EmbeddedKafka Faults => _embedded ?? throw new InvalidOperationException("Fault injection needs the embedded cluster.");

    /// <summary>A fresh prefix so a test's topics and groups are its own.</summary>
    public static string NewPrefix(string test) => $"t{Guid.NewGuid():N}"[..9] + "." + test + ".";

    public KafkaOptions Options(string prefix = "") => new()
    {
        BootstrapServers = BootstrapServers,
        TopicPrefix = prefix,
        ClientId = "tests",
        SessionTimeoutMs = 6000,
    };

    public KafkaClientFactory ClientFactory(string prefix = "") =>
        new(Microsoft.Extensions.Options.Options.Create(Options(prefix)), NullLoggerFactory.Instance);

    /// <summary>The project's whole topology under a prefix.</summary>
    public async Task<TopologyReport> CreateTopologyAsync(string prefix, int partitions = 4)
    {
        var options = new TopologyOptions { Partitions = partitions, ReplicationFactor = ReplicationFactor };
        var report = await _provisioner.ApplyAsync(CinematicTopology.Topics(options, prefix), createMissing: true, CancellationToken.None);
        if (!report.IsConsistent)
        {
            throw new InvalidOperationException("Topology not created: " + string.Join("; ", report.Problems));
        }

        return report;
    }

    public async Task CreateTopicAsync(string name, int partitions)
    {
        var report = await _provisioner.ApplyAsync([new TopicSpec(name, partitions, ReplicationFactor)], createMissing: true, CancellationToken.None);
        if (!report.IsConsistent)
        {
            throw new InvalidOperationException($"Topic {name} not created: " + string.Join("; ", report.Problems));
        }
    }

    public void Dispose()
    {
        _admin?.Dispose();
        _embedded?.Dispose();
        _container?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// A single-node KRaft Kafka in a container, or null when no Docker daemon answers (Testcontainers tells at once).
    /// Not exercised on the development machines: they have no Docker daemon.
    /// </summary>
    private static KafkaContainer? StartContainer()
    {
        try
        {
            var container = new KafkaBuilder(TestEnvironment.KafkaImage).WithVendor(KafkaVendor.ApacheSoftwareFoundation).WithKRaft().Build();
            container.StartAsync().GetAwaiter().GetResult();
            return container;
        }
        catch (DockerUnavailableException) when (TestEnvironment.KafkaSource == "auto")
        {
            return null;
        }
    }

    private static TestKafka Embedded(EmbeddedKafka cluster) => new(cluster.BootstrapServers, cluster, (short)Math.Min(3, cluster.BrokerCount));
}
