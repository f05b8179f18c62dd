using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Webhooks;

/// <summary>
/// Writes providers' job events (webhook doorbells) to cinematic.provider.job-events keyed by job id, returning once the brokers
/// acknowledged them, so that a webhook is answered 2xx only when its doorbell is in the log (otherwise the provider retries).
/// </summary>
internal sealed class JobEventPublisher : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;

    public JobEventPublisher(KafkaClientFactory clients, IOptions<IngestOptions> options)
    {
        var timeout = options.Value.PublishTimeoutMs;
        _producer = clients.CreateProducer<string, byte[]>("ingest-job-events", configure: c =>
        {
            c.MessageTimeoutMs = timeout;
            c.RequestTimeoutMs = Math.Min(c.RequestTimeoutMs ?? 30_000, timeout);
            // A doorbell is worth its latency only: no batching wait.
            c.LingerMs = 0;
        });
        _topic = clients.Options.Topic(Topics.ProviderJobEvents);
    }

    /// <summary>Connects the producer and reads the topic's partitions, which the first webhook would otherwise wait for.</summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        // GetMetadata blocks on the network.
        await Task.Run(() => admin.GetMetadata(_topic, TimeSpan.FromSeconds(30)), cancellationToken);
    }

    public Task PublishAsync(ProviderJobEvent jobEvent, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = jobEvent.JobId, Value = jobEvent.ToJson() }, cancellationToken);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
