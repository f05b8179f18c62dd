using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>Why a publish failed, and whether the event may nevertheless be in the log (so its media must stay).</summary>
internal sealed class PublishFailedException(string dependency, bool possiblyPublished, Exception cause)
    : Exception($"Publishing to {dependency} failed.", cause)
{
    public string Dependency { get; } = dependency;

    public bool PossiblyPublished { get; } = possiblyPublished;
}

/// <summary>
/// Publishes TransformationRequested keyed by tenant id, and returns only once the brokers acknowledged it (the
/// idempotent acks=all producer of <see cref="KafkaClientFactory"/>), within <see cref="IngestOptions.PublishTimeoutMs"/>.
/// </summary>
internal sealed class RequestPublisher : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly EventSerializer<TransformationRequested> _serializer;
    private readonly string _topic;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public RequestPublisher(KafkaClientFactory clients, EventSerializer<TransformationRequested> serializer, IOptions<IngestOptions> options,
        TimeProvider time)
    {
        _time = time;
        var timeout = options.Value.PublishTimeoutMs;
        _timeout = TimeSpan.FromMilliseconds(timeout);
        _producer = clients.CreateProducer<string, byte[]>("ingest", configure: c =>
        {
            c.MessageTimeoutMs = timeout;
            c.RequestTimeoutMs = Math.Min(c.RequestTimeoutMs ?? 30_000, timeout);
        });
        _serializer = serializer;
        _topic = clients.Options.Topic(Topics.Requested);
    }

    /// <summary>
    /// Resolves the event's schema id and connects the producer (brokers, producer id, the topic's partitions), which
    /// the first request would otherwise wait for, about two seconds after each start.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        await _serializer.PrepareAsync(_topic, cancellationToken);
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        // GetMetadata blocks on the network.
        await Task.Run(() => admin.GetMetadata(_topic, _timeout), cancellationToken);
    }

    /// <returns>How long the acknowledgement took.</returns>
    public async Task<TimeSpan> PublishAsync(TransformationRequested request)
    {
        var started = _time.GetTimestamp();
        byte[] value;
        try
        {
            value = await _serializer.SerializeAsync(request, new SerializationContext(MessageComponentType.Value, _topic));
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or TaskCanceledException)
        {
            throw new PublishFailedException("schema-registry", possiblyPublished: false, e);
        }

        try
        {
            // Not cancelled with the caller: once handed to the producer the event may be written, and only the
            // delivery report says whether its media may be deleted.
            await _producer.ProduceTracedAsync(_topic, new Message<string, byte[]> { Key = request.TenantId, Value = value }, cancellationToken: CancellationToken.None);
        }
        catch (ProduceException<string, byte[]> e)
        {
            throw new PublishFailedException("kafka", e.DeliveryResult?.Status is not PersistenceStatus.NotPersisted || TimedOut(e.Error.Code), e);
        }
        catch (KafkaException e)
        {
            throw new PublishFailedException("kafka", possiblyPublished: false, e);
        }

        return _time.GetElapsedTime(started);
    }

    /// <summary>
    /// A message that timed out may have been written whatever its persistence status says: librdkafka reports messages
    /// whose produce request timed out in flight as NotPersisted although the broker wrote them (seen when the embedded
    /// cluster stalls its answers). Only a refusal the brokers (or the client, before sending) stated is "not written".
    /// </summary>
    private static bool TimedOut(Confluent.Kafka.ErrorCode code) => code is Confluent.Kafka.ErrorCode.Local_MsgTimedOut or Confluent.Kafka.ErrorCode.Local_TimedOut
        or Confluent.Kafka.ErrorCode.RequestTimedOut or Confluent.Kafka.ErrorCode.NetworkException or Confluent.Kafka.ErrorCode.Local_Transport;

    public void Dispose()
    {
        // Whatever is still queued gets its chance on shutdown.
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
