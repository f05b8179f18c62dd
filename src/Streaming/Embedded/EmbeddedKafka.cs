using System.Globalization;
using System.Runtime.InteropServices;
using CinematicSwitch.Streaming.Topology;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Embedded;

/// <summary>
/// A Kafka-protocol cluster on loopback TCP, in memory: librdkafka's mock cluster. Clients in any process
/// connect to <see cref="BootstrapServers"/> exactly as they would to a real cluster. It keeps no data
/// across restarts, and it does not implement transactions that read_committed honours, CreateTopics,
/// DescribeConfigs or log compaction; topics are created through this class instead.
/// <para>
/// Started as clients expect a cluster to be: broker 1 is the controller that metadata names (the mock's default,
/// 0, is none of its brokers, and clients that look the controller up, such as kafkajs's idempotent producer, fail);
/// a group rebalances as soon as its members have joined (no initial delay, which only matters to a cluster that
/// starts many consumers at once); KIP-848 groups (group.protocol=consumer) get a short session and heartbeat.
/// </para>
/// </summary>
public sealed class EmbeddedKafka : ITopicProvisioner, IDisposable
{
    /// <summary>
    /// The session of a KIP-848 group member (the brokers' group.consumer.session.timeout.ms): a dead member's partitions
    /// move this long after its last heartbeat (the mock checks sessions once a second). 3 s, with heartbeats every 0.5 s,
    /// keeps a failover within 5 s; a member that cannot heartbeat for 3 s (a long GC pause, a frozen VM) is fenced and
    /// rejoins, which under KIP-848 moves only its own partitions. A consumer of such a group must be configured with this
    /// value as its <c>Kafka:SessionTimeoutMs</c> (and <see cref="ConsumerGroupHeartbeatIntervalMs"/> as its
    /// <c>Kafka:HeartbeatIntervalMs</c>): its ownership leases are derived from them.
    /// </summary>
    public const int ConsumerGroupSessionTimeoutMs = 3000;

    /// <summary>The heartbeat interval of a KIP-848 group member (group.consumer.heartbeat.interval.ms).</summary>
    public const int ConsumerGroupHeartbeatIntervalMs = 500;

    /// <summary>The configuration (':'-separated keys) of a consumer in a KIP-848 group of this cluster: the protocol, and the session and heartbeat its leases derive from.</summary>
    public static IReadOnlyDictionary<string, string> ConsumerGroupSettings { get; } = new Dictionary<string, string>
    {
        ["Kafka:GroupProtocol"] = "consumer",
        ["Kafka:SessionTimeoutMs"] = ConsumerGroupSessionTimeoutMs.ToString(CultureInfo.InvariantCulture),
        ["Kafka:HeartbeatIntervalMs"] = ConsumerGroupHeartbeatIntervalMs.ToString(CultureInfo.InvariantCulture),
    };

    private const int TopicAlreadyExists = 36;
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly Lock _gate = new();
    private bool _disposed;

    private EmbeddedKafka(IntPtr handle, IntPtr cluster, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");
    }

    /// <summary>Comma-separated host:port pairs, one per broker.</summary>
    public string BootstrapServers { get; }

    public int BrokerCount { get; }

    /// <summary>Broker ids, as the cluster's metadata reports them (1..n).</summary>
    public IReadOnlyList<int> BrokerIds => Enumerable.Range(1, BrokerCount).ToList();

    public static EmbeddedKafka Start(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        MockClusterNative.EnsureLoaded();

        var conf = MockClusterNative.rd_kafka_conf_new();
        // The host handle only owns the cluster's threads; keep it from logging that it has no brokers.
        MockClusterNative.rd_kafka_conf_set(conf, "log_level", "3", IntPtr.Zero, 0);
        var errors = Marshal.AllocHGlobal(512);
        try
        {
            var handle = MockClusterNative.rd_kafka_new(MockClusterNative.ProducerType, conf, errors, 512);
            if (handle == IntPtr.Zero)
            {
                throw new InvalidOperationException($"rd_kafka_new failed: {Marshal.PtrToStringUTF8(errors)}");
            }

            var cluster = MockClusterNative.rd_kafka_mock_cluster_new(handle, brokerCount);
            if (cluster == IntPtr.Zero)
            {
                MockClusterNative.rd_kafka_destroy(handle);
                throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
            }

            MockClusterNative.rd_kafka_mock_set_controller_id(cluster, 1);
            MockClusterNative.rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, 0);
            MockClusterNative.rd_kafka_mock_set_group_consumer_session_timeout_ms(cluster, ConsumerGroupSessionTimeoutMs);
            MockClusterNative.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(cluster, ConsumerGroupHeartbeatIntervalMs);
            return new EmbeddedKafka(handle, cluster, brokerCount);
        }
        finally
        {
            Marshal.FreeHGlobal(errors);
        }
    }

    /// <summary>Creates a topic; returns false when it already existed.</summary>
    public bool CreateTopic(string name, int partitions, int replicationFactor)
    {
        var error = Call(() => MockClusterNative.rd_kafka_mock_topic_create(_cluster, name, partitions, replicationFactor));
        return error switch
        {
            0 => true,
            TopicAlreadyExists => false,
            _ => throw new KafkaException(new Error((ErrorCode)error, $"Creating topic {name} on the embedded cluster failed.")),
        };
    }

    /// <inheritdoc />
    public Task<TopologyReport> ApplyAsync(IReadOnlyCollection<TopicSpec> topics, bool createMissing, CancellationToken cancellationToken)
    {
        var outcomes = new List<TopicOutcome>();
        var existing = new List<TopicSpec>();
        foreach (var spec in topics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!createMissing)
            {
                existing.Add(spec);
            }
            else if (CreateTopic(spec.Name, spec.Partitions, Math.Min((int)spec.ReplicationFactor, BrokerCount)))
            {
                outcomes.Add(new TopicOutcome(spec.Name, TopicStatus.Created));
            }
            else
            {
                existing.Add(spec);
            }
        }

        if (existing.Count > 0)
        {
            outcomes.AddRange(DescribeExisting(existing));
        }

        return Task.FromResult(new TopologyReport(outcomes.OrderBy(o => o.Topic, StringComparer.Ordinal).ToList()));
    }

    /// <summary>Takes a broker off the network: its listener stops answering until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(Call(() => MockClusterNative.rd_kafka_mock_broker_set_down(_cluster, brokerId)), "broker down");

    public void SetBrokerUp(int brokerId) => Check(Call(() => MockClusterNative.rd_kafka_mock_broker_set_up(_cluster, brokerId)), "broker up");

    /// <summary>Adds latency to every response of a broker.</summary>
    public void SetBrokerRoundTrip(int brokerId, TimeSpan rtt) =>
        Check(Call(() => MockClusterNative.rd_kafka_mock_broker_set_rtt(_cluster, brokerId, (int)rtt.TotalMilliseconds)), "broker rtt");

    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(Call(() => MockClusterNative.rd_kafka_mock_partition_set_leader(_cluster, topic, partition, brokerId)), "partition leader");

    /// <summary>The next requests of this API, on any broker, fail with these errors, one each, in order.</summary>
    public void InjectRequestErrors(KafkaApi api, params ErrorCode[] errors)
    {
        var codes = errors.Select(e => (int)e).ToArray();
        Call(() =>
        {
            MockClusterNative.rd_kafka_mock_push_request_errors_array(_cluster, (short)api, (nuint)codes.Length, codes);
            return 0;
        });
    }

    public void ClearRequestErrors(KafkaApi api) => Call(() =>
    {
        MockClusterNative.rd_kafka_mock_clear_request_errors(_cluster, (short)api);
        return 0;
    });

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            MockClusterNative.rd_kafka_mock_cluster_destroy(_cluster);
            MockClusterNative.rd_kafka_destroy(_handle);
        }
    }

    private List<TopicOutcome> DescribeExisting(List<TopicSpec> specs)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.ToDictionary(t => t.Topic, StringComparer.Ordinal);
        // The mock cluster has no topic configurations: only partitions and replication are compared.
        return specs.Select(spec => metadata.TryGetValue(spec.Name, out var topic) && topic.Error.Code == ErrorCode.NoError
                ? TopicComparison.Compare(spec with { ReplicationFactor = (short)Math.Min((int)spec.ReplicationFactor, BrokerCount) }, topic, null)
                : new TopicOutcome(spec.Name, TopicStatus.Missing))
            .ToList();
    }

    private int Call(Func<int> action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return action();
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new KafkaException(new Error((ErrorCode)error, $"Embedded cluster: {what} failed."));
        }
    }
}
