
namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Readies the request publisher (and the providers' job-event publisher) as Ingest starts, so that the first request (or
/// webhook) after a deploy is answered as fast as the ones after it. Best effort: if the registry or the brokers are not there yet, the first request does the same
/// work and answers 503 if they still are not.
/// </summary>
internal sealed partial class PublisherWarmUp(RequestPublisher publisher, Webhooks.JobEventPublisher jobEvents, TimeProvider time,
    ILogger<PublisherWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = time.GetTimestamp();
        try
        {
            await publisher.WarmUpAsync(stoppingToken);
            await jobEvents.WarmUpAsync(stoppingToken);
            LogReady((long)time.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogNotReady(e.GetType().Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready to publish requests: schema id resolved and producer connected in {ElapsedMs} ms")]
    private partial void LogReady(long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ready the publisher at startup ({Error}: {Reason}); the first request will try again")]
    private partial void LogNotReady(string error, string reason);
}
