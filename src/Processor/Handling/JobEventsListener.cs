using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Running;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// Tails cinematic.provider.job-events (every partition assigned, from its end, no group, no commits: every processor hears
/// every doorbell, and only new ones matter) and rings the doorbell of each job, which wakes the runner polling it in this
/// process, if any. Runs only while a provider has webhooks enabled; a doorbell missed (this process starting, the topic
/// unreachable) is made up for by the safety-net poll.
/// </summary>
internal sealed partial class JobEventsListener(
    KafkaClientFactory clients,
    IOptions<ProvidersOptions> providers,
    IJobDoorbell doorbell,
    TimeProvider time,
    ILogger<JobEventsListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = providers.Value;
        if (!options.Replicate.Webhook.Enabled && !options.Leonardo.Webhook.Enabled)
        {
            return;
        }

        var partitions = await TopicDiscovery.PartitionsAsync(clients, [clients.Options.Topic(Topics.ProviderJobEvents)], time, logger, stoppingToken);
        LogListening(partitions.Count);
        await new PartitionTailer(clients, "job-events", time, logger).RunAsync(partitions, Offset.End, (result, _) =>
        {
            Ring(result);
            return Task.CompletedTask;
        }, onCaughtUp: null, stoppingToken);
    }

    private void Ring(ConsumeResult<byte[]?, byte[]?> result)
    {
        if (result.Message.Value is not { } value)
        {
            return;
        }

        if (ProviderJobEvent.FromJson(value) is { } jobEvent && Enum.TryParse<Provider>(jobEvent.Provider, ignoreCase: true, out var provider)
            && provider.IsKnown())
        {
            LogDoorbell(provider, jobEvent.JobId, (long)(time.GetUtcNow() - jobEvent.ReceivedAt).TotalMilliseconds);
            doorbell.Ring(provider, jobEvent.JobId);
        }
        else
        {
            LogUnreadable(result.Partition.Value, result.Offset.Value);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for providers' job events on {Partitions} partitions")]
    private partial void LogListening(int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Doorbell for {Provider} job {JobId}, {AgeMs} ms after the webhook")]
    private partial void LogDoorbell(Provider provider, string jobId, long ageMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an unreadable job event at partition {Partition}, offset {Offset}")]
    private partial void LogUnreadable(int partition, long offset);
}
