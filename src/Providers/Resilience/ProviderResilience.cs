using System.Net;
using CinematicSwitch.Providers.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CinematicSwitch.Providers.Resilience;

/// <summary>
/// The Polly pipeline around every HTTP call of one provider, outermost first:
/// retries of idempotent calls (only when configured), 429 waits honouring Retry-After within the job's deadline,
/// the circuit breaker, and the per-attempt timeout.
/// </summary>
internal static class ProviderResilience
{
    public static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("cinematic.deadline");
    public static readonly ResiliencePropertyKey<bool> Idempotent = new("cinematic.idempotent");

    public static ResiliencePipeline<HttpResponseMessage> Build(ProviderOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(500),
                ShouldHandle = args => ValueTask.FromResult(
                    args.Context.Properties.GetValue(Idempotent, false) && IsTransient(args.Outcome) &&
                    time.GetUtcNow() < args.Context.Properties.GetValue(Deadline, DateTimeOffset.MaxValue)),
            });
        }

        if (options.MaxRateLimitWaits > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRateLimitWaits,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests &&
                    time.GetUtcNow() + RetryAfter(args.Outcome.Result, time) < args.Context.Properties.GetValue(Deadline, DateTimeOffset.MaxValue)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryAfter(args.Outcome.Result, time)),
            });
        }

        var breaker = options.CircuitBreaker;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = TimeSpan.FromMilliseconds(breaker.SamplingDurationMs),
            BreakDuration = TimeSpan.FromMilliseconds(breaker.BreakDurationMs),
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
        });
        builder.AddTimeout(TimeSpan.FromMilliseconds(options.RequestTimeoutMs));
        return builder.Build();
    }

    /// <summary>Failures that say something about the provider's health: 5xx, 408, timeouts, broken connections.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

    /// <summary>The Retry-After of a 429 (seconds or an HTTP date); one second when absent.</summary>
    internal static TimeSpan RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : TimeSpan.FromSeconds(1));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
