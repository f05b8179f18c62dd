using Microsoft.Extensions.Logging;
using Polly;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// Runs one of a partition's steps until it succeeds or the partition is handed over. While it fails the partition is
/// shown stuck with the reason (readiness and metrics say so) and each failure is logged, so a step that can never
/// succeed is visible instead of silently holding its partition.
/// </summary>
internal sealed partial class PartitionRetry
{
    private readonly ResiliencePipeline _pipeline;
    private readonly Func<Exception, bool> _retriable;
    private readonly StreamMetrics _metrics;
    private readonly ILogger _logger;

    private PartitionRetry(Func<Exception, bool> retriable, StreamProcessorOptions options, StreamMetrics metrics, TimeProvider time, ILogger logger)
    {
        _retriable = retriable;
        _metrics = metrics;
        _logger = logger;
        _pipeline = StreamRetry.Pipeline(options, time, (e, _) => _retriable(e));
    }

    /// <summary>
    /// For a decision reached and its outputs: they must get out, so any failure is retried (both steps are idempotent:
    /// a decision written twice is the same decision, outputs already published are not published again).
    /// </summary>
    public static PartitionRetry ForDecisions(StreamProcessorOptions options, StreamMetrics metrics, TimeProvider time, ILogger logger) =>
        new(_ => true, options, metrics, time, logger);

    /// <summary>For a step needing a dependency (the registry, the brokers): retried while the dependency is down, anything else thrown.</summary>
    public static PartitionRetry ForDependencies(StreamProcessorOptions options, StreamMetrics metrics, TimeProvider time, ILogger logger) =>
        new(RetriableException.IsRetriable, options, metrics, time, logger);

    public async Task ExecuteAsync(PartitionOwner owner, string what, Func<CancellationToken, ValueTask> step, CancellationToken token) =>
        await ExecuteAsync(owner, what, async ct =>
        {
            await step(ct);
            return true;
        }, token);

    public async Task<T> ExecuteAsync<T>(PartitionOwner owner, string what, Func<CancellationToken, ValueTask<T>> step, CancellationToken token)
    {
        var stuck = false;
        try
        {
            return await _pipeline.ExecuteAsync(async ct =>
            {
                try
                {
                    return await step(ct);
                }
                catch (Exception e) when (_retriable(e) && !Execution.HandOver.Is(e, ct))
                {
                    if (!stuck)
                    {
                        stuck = true;
                        _metrics.PartitionStuck(owner.Number);
                    }

                    owner.StuckReason = $"{what} failed ({e.GetType().Name}: {e.Message}); retrying";
                    LogFailed(owner.Partition.ToString(), what, e.GetType().Name, e.Message);
                    throw;
                }
            }, token);
        }
        finally
        {
            if (stuck)
            {
                owner.StuckReason = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: {What} failed ({Error}: {Reason}); retrying")]
    private partial void LogFailed(string partition, string what, string error, string reason);
}
