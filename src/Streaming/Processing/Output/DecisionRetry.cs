using CinematicSwitch.Streaming.Processing.Execution;
using Polly;
using Polly.Retry;

namespace CinematicSwitch.Streaming.Processing.Output;

/// <summary>
/// Writing a decision and publishing its outputs is retried until it succeeds or the partition is handed over: an
/// outcome that was reached must get out (both steps are idempotent: a decision written twice is the same decision,
/// and outputs already published are not published again).
/// </summary>
internal static class DecisionRetry
{
    public static ResiliencePipeline Build(StreamProcessorOptions options, TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBackoff,
                MaxDelay = options.MaxRetryBackoff,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !HandOver.Is(e, args.Context.CancellationToken)),
            })
            .Build();
}
