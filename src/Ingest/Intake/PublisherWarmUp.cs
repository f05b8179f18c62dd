using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Webhooks;
using CinematicSwitch.Providers.Webhooks;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Readies the request publisher as Ingest starts, and the job-event publisher when a provider's webhooks are on, so that the
/// first request (or webhook) after a deploy is answered as fast as the ones after it. Best effort: if the registry or the
/// brokers are not there yet, the first request does the same work and answers 503 if they still are not.
/// </summary>
internal sealed partial class PublisherWarmUp(RequestPublisher publisher, JobEventPublisher jobEvents, IProviderWebhooks webhooks, TimeProvider time,
    ILogger<PublisherWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await publisher.WarmUpAsync(stoppingToken);
            LogReady((long)time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogNotReady("requests", e.GetType().Name, e.Message);
        }

        if (!webhooks.Enabled(Provider.Replicate) && !webhooks.Enabled(Provider.Leonardo))
        {
            return;
        }

        try
        {
            await jobEvents.WarmUpAsync(stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogNotReady("job events", e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready to publish requests: schema id resolved and producer connected in {ElapsedMs} ms")]
    private partial void LogReady(long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ready the publisher of {What} at startup ({Error}: {Reason}); the first one will try again")]
    private partial void LogNotReady(string what, string error, string reason);
}
