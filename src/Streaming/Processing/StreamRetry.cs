using CinematicSwitch.Streaming.Processing.Execution;
using Polly;
using Polly.Retry;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The runtime's one retry shape: exponential back-off from <see cref="StreamProcessorOptions.RetryBackoff"/> with jitter,
/// capped at <see cref="StreamProcessorOptions.MaxRetryBackoff"/>, on the runtime's clock, and never for work that was
/// handed over. Each user says what it retries and for how long.
/// </summary>
internal static class StreamRetry
{
    public static ResiliencePipeline Pipeline(StreamProcessorOptions options, TimeProvider time, Func<Exception, RetryPredicateArguments<object>, bool> retriable,
        Func<OnRetryArguments<object>, ValueTask>? onRetry = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBackoff,
                MaxDelay = options.MaxRetryBackoff,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && !HandOver.Is(e, args.Context.CancellationToken)
                    && retriable(e, args)),
                OnRetry = onRetry,
            })
            .Build();
}
