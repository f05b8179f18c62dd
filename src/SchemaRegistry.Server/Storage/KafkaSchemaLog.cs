using System.Text.Json;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Topology;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.SchemaRegistry.Server.Storage;

/// <summary>
/// The registry's durable state: a one-partition topic of <see cref="RegistryRecord"/>s, read from the start when
/// the registry starts and appended to through an idempotent producer. One registry instance writes to a topic.
/// </summary>
internal sealed class KafkaSchemaLog : IDisposable
{
    private readonly SchemaRegistryServerOptions _options;
    private readonly KafkaClientFactory _clients;
    private readonly ITopicProvisioner? _topics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TopicPartition _partition;
    private readonly Lazy<IProducer<byte[], byte[]?>> _producer;

    /// <param name="topics">Creates the topic; null means a real cluster, through the AdminClient.</param>
    public KafkaSchemaLog(SchemaRegistryServerOptions options, KafkaClientFactory clients, ITopicProvisioner? topics, TimeProvider time,
        ILogger<KafkaSchemaLog> logger)
    {
        _options = options;
        _clients = clients;
        _topics = topics;
        _time = time;
        _logger = logger;
        _partition = new TopicPartition(options.Kafka.Topic(options.Topic), 0);
        _producer = new Lazy<IProducer<byte[], byte[]?>>(() => clients.CreateProducer<byte[], byte[]?>("schema-registry",
            configure: c => c.MessageTimeoutMs = options.StoreTimeoutMs));
    }

    public string Topic => _partition.Topic;

    public async Task EnsureTopicAsync(CancellationToken cancellationToken)
    {
        var spec = new TopicSpec(Topic, 1, _options.ReplicationFactor, new Dictionary<string, string> { ["cleanup.policy"] = "compact" });
        TopologyReport report;
        if (_topics is not null)
        {
            report = await _topics.ApplyAsync([spec], createMissing: true, cancellationToken);
        }
        else
        {
            using var admin = _clients.CreateAdmin();
            report = await new AdminClientTopicProvisioner(admin).ApplyAsync([spec], createMissing: true, cancellationToken);
        }

        foreach (var problem in report.Problems)
        {
            if (problem.Status == TopicStatus.Missing)
            {
                throw new InvalidOperationException($"The schemas topic {Topic} could not be created: {problem.Detail}");
            }

            // Only partition 0 is used, so a differing topic still works; it is worth knowing about.
            _logger.LogWarning("The schemas topic {Topic} differs from its specification: {Detail}", problem.Topic, problem.Detail);
        }
    }

    /// <summary>Reads every record from the start to the current end and hands each to <paramref name="apply"/>.</summary>
    public Task<int> ReadAllAsync(Action<RegistryRecord> apply, CancellationToken cancellationToken) => Task.Run(() =>
    {
        using var consumer = _clients.ConsumerBuilder<byte[], byte[]?>($"schema-registry-reader-{Guid.NewGuid():N}", "schema-registry").Build();
        var timeout = TimeSpan.FromMilliseconds(_options.StoreTimeoutMs);
        var watermarks = consumer.QueryWatermarkOffsets(_partition, timeout);
        var end = watermarks.High.Value;
        var count = 0;
        if (end <= watermarks.Low.Value)
        {
            return count;
        }

        consumer.Assign(new TopicPartitionOffset(_partition, Offset.Beginning));
        var idleSince = _time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                if (_time.GetElapsedTime(idleSince) > timeout)
                {
                    throw new TimeoutException($"Reading the schemas topic {Topic} stalled before offset {end} ({count} records read).");
                }

                continue;
            }

            idleSince = _time.GetTimestamp();
            Apply(result, apply);
            count++;
            if (result.Offset.Value >= end - 1)
            {
                return count;
            }
        }
    }, cancellationToken);

    /// <summary>Appends records in order; returns once every one is acknowledged by the in-sync replicas.</summary>
    public async Task AppendAsync(IReadOnlyList<RegistryRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            var (key, value) = RecordCodec.Encode(record);
            await _producer.Value.ProduceAsync(_partition, new Message<byte[], byte[]?> { Key = key, Value = value }, cancellationToken);
        }
    }

    public void Dispose()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(10));
            _producer.Value.Dispose();
        }
    }

    private void Apply(ConsumeResult<byte[], byte[]?> result, Action<RegistryRecord> apply)
    {
        try
        {
            if (RecordCodec.Decode(result.Message.Key, result.Message.Value) is { } record)
            {
                apply(record);
            }
            else
            {
                _logger.LogWarning("Skipped a record of an unknown kind at offset {Offset} of {Topic}", result.Offset.Value, Topic);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or FormatException)
        {
            // One bad record must not keep the registry from starting; what it held is lost and said so.
            _logger.LogError(e, "Skipped an unreadable record at offset {Offset} of {Topic}", result.Offset.Value, Topic);
        }
    }
}
