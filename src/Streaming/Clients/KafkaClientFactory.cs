using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>
/// Builds every Kafka client of the project, so that delivery guarantees, partitioning and logging are
/// decided once: producers are idempotent with acks=all and partition keys with murmur2 like the Java
/// client; consumers commit explicitly and rebalance incrementally (cooperative-sticky, or KIP-848's protocol).
/// </summary>
public sealed class KafkaClientFactory
{
    private readonly KafkaOptions _options;
    private readonly ILoggerFactory _loggers;

    public KafkaClientFactory(IOptions<KafkaOptions> options, ILoggerFactory loggers)
    {
        _options = options.Value;
        _loggers = loggers;
    }

    public KafkaOptions Options => _options;

    public ProducerConfig ProducerConfig(string purpose)
    {
        var config = new ProducerConfig(Common(purpose))
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            // librdkafka's default (consistent_random, CRC32) differs from the Java client's murmur2.
            Partitioner = Partitioner.Murmur2Random,
            LingerMs = 5,
            MessageTimeoutMs = 120000,
            CompressionType = Enum.Parse<CompressionType>(_options.CompressionType, ignoreCase: true),
        };
        return Apply(config);
    }

    public ConsumerConfig ConsumerConfig(string groupId, string purpose)
    {
        var config = new ConsumerConfig(Common(purpose))
        {
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = _options.FetchWaitMaxMs,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = false,
        };
        if (_options.GroupProtocol == "consumer")
        {
            // KIP-848: the broker assigns and times sessions out; the client may not set either.
            config.GroupProtocol = GroupProtocol.Consumer;
        }
        else
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
            config.SessionTimeoutMs = _options.SessionTimeoutMs;
            config.HeartbeatIntervalMs = (int)_options.HeartbeatInterval().TotalMilliseconds;
        }

        return Apply(config);
    }

    public AdminClientConfig AdminConfig() => Apply(new AdminClientConfig(Common("admin")));

    public IProducer<TKey, TValue> CreateProducer<TKey, TValue>(
        string purpose,
        ISerializer<TKey>? keySerializer = null,
        ISerializer<TValue>? valueSerializer = null,
        Action<ProducerConfig>? configure = null)
    {
        var config = ProducerConfig(purpose);
        configure?.Invoke(config);
        var logger = _loggers.CreateLogger($"Kafka.Producer.{purpose}");
        var builder = new ProducerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .SetErrorHandler((_, e) => KafkaLog.Write(logger, e));
        if (keySerializer is not null)
        {
            builder.SetKeySerializer(keySerializer);
        }

        if (valueSerializer is not null)
        {
            builder.SetValueSerializer(valueSerializer);
        }

        return builder.Build();
    }

    /// <summary>A consumer builder with logging wired; callers add their rebalance handlers and deserializers.</summary>
    public ConsumerBuilder<TKey, TValue> ConsumerBuilder<TKey, TValue>(string groupId, string purpose, Action<ConsumerConfig>? configure = null)
    {
        var config = ConsumerConfig(groupId, purpose);
        configure?.Invoke(config);
        var logger = _loggers.CreateLogger($"Kafka.Consumer.{purpose}");
        return new ConsumerBuilder<TKey, TValue>(config)
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .SetErrorHandler((_, e) => KafkaLog.Write(logger, e));
    }

    /// <summary>
    /// A consumer for partitions it is assigned (never subscribed, never committing), that reports each partition's end:
    /// the readers of the project (<see cref="PartitionReader"/>, <see cref="PartitionTailer"/>) build theirs here.
    /// </summary>
    public IConsumer<byte[]?, byte[]?> AssignedConsumer(string groupId, string purpose, Action<ConsumerConfig>? configure = null) =>
        ConsumerBuilder<byte[]?, byte[]?>(groupId, purpose, c =>
        {
            // The end can be a gap (compacted away, a transaction marker): the partition's end event says so.
            c.EnablePartitionEof = true;
            configure?.Invoke(c);
        }).Build();

    public IAdminClient CreateAdmin()
    {
        var logger = _loggers.CreateLogger("Kafka.Admin");
        return new AdminClientBuilder(AdminConfig())
            .SetLogHandler((_, m) => KafkaLog.Write(logger, m))
            .SetErrorHandler((_, e) => KafkaLog.Write(logger, e))
            .Build();
    }

    private ClientConfig Common(string purpose)
    {
        var config = new ClientConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = $"{_options.ClientId}.{purpose}",
            SecurityProtocol = Enum.Parse<SecurityProtocol>(_options.SecurityProtocol.Replace("_", "", StringComparison.Ordinal), ignoreCase: true),
            SslCaLocation = _options.SslCaLocation,
            SaslUsername = _options.SaslUsername,
            SaslPassword = _options.SaslPassword,
        };
        if (!string.IsNullOrEmpty(_options.SaslMechanism))
        {
            config.SaslMechanism = Enum.Parse<SaslMechanism>(_options.SaslMechanism.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
        }

        return config;
    }

    private T Apply<T>(T config)
        where T : ClientConfig
    {
        foreach (var (key, value) in _options.Properties)
        {
            config.Set(key, value);
        }

        return config;
    }
}
