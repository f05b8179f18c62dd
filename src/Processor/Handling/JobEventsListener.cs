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
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = providers.Value;
        if (!options.Replicate.Webhook.Enabled && !options.Leonardo.Webhook.Enabled)
        {
            return Task.CompletedTask;
        }

        // The consumer's calls block; they get a thread of their own rather than one of the pool's.
        return Task.Factory.StartNew(() => RunAsync(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var topic = clients.Options.Topic(Topics.ProviderJobEvents);
        var partitions = await TopicDiscovery.PartitionsAsync(clients, [topic], time, logger, stoppingToken);
        using var consumer = clients.ConsumerBuilder<Ignore, byte[]?>($"{clients.Options.ClientId}.job-events.{Guid.NewGuid():N}", "job-events",
            c => c.FetchWaitMaxMs = Math.Min(c.FetchWaitMaxMs ?? 100, 100)).Build();
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.End)));
        LogListening(partitions.Count);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ConsumeResult<Ignore, byte[]?>? result;
                try
                {
                    result = consumer.Consume(TimeSpan.FromMilliseconds(250));
                }
                catch (ConsumeException e)
                {
                    LogConsumeError(e.Error.Code, e.Error.Reason);
                    continue;
                }

                if (result?.Message.Value is not { } value)
                {
                    continue;
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
        }
        finally
        {
            consumer.Close();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for providers' job events on {Partitions} partitions")]
    private partial void LogListening(int partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Doorbell for {Provider} job {JobId}, {AgeMs} ms after the webhook")]
    private partial void LogDoorbell(Provider provider, string jobId, long ageMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an unreadable job event at partition {Partition}, offset {Offset}")]
    private partial void LogUnreadable(int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job events: Kafka error {Code}: {Reason}")]
    private partial void LogConsumeError(Confluent.Kafka.ErrorCode code, string reason);
}
