using System.Net;
using System.Threading.RateLimiting;
using CinematicSwitch.Providers.Configuration;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace CinematicSwitch.Providers.Resilience;

/// <summary>A provider's pipeline and the token buckets it draws from (their timers stop when disposed).</summary>
internal sealed class ProviderPipeline(ResiliencePipeline<HttpResponseMessage> pipeline, params IDisposable[] owned) : IDisposable
{
    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; } = pipeline;

    public void Dispose()
    {
        foreach (var item in owned)
        {
            item.Dispose();
        }
    }
}

/// <summary>
/// The Polly pipeline around every HTTP call of one provider, outermost first:
/// retries of idempotent calls (only when configured), 429 waits (Retry-After, else exponential back-off with jitter) within
/// the job's deadline, the provider's request budget (token buckets: one for create calls, one for the rest), the circuit
/// breaker, and the per-attempt timeout.
/// </summary>
internal static class ProviderResilience
{
    public static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("cinematic.deadline");
    public static readonly ResiliencePropertyKey<bool> Idempotent = new("cinematic.idempotent");

    public static ProviderPipeline Build(ProviderOptions options, TimeProvider time)
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
            var backoff = TimeSpan.FromMilliseconds(options.RateLimitBackoffMs);
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRateLimitWaits,
                // The longest the jitter can make the wait: a wait that cannot end before the deadline is not started.
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests &&
                    time.GetUtcNow() + (RetryAfter(args.Outcome.Result, time) ?? Backoff(backoff, args.AttemptNumber, 1.5)) <
                    args.Context.Properties.GetValue(Deadline, DateTimeOffset.MaxValue)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    RetryAfter(args.Outcome.Result, time) ?? Backoff(backoff, args.AttemptNumber, 1 + (Random.Shared.NextDouble() / 2))),
            });
        }

        var creates = Bucket(options.RateLimits.CreatesPerMinute);
        var others = Bucket(options.RateLimits.OtherPerMinute);
        builder.AddRateLimiter(new RateLimiterStrategyOptions
        {
            RateLimiter = args => (args.Context.Properties.GetValue(Idempotent, false) ? others : creates).AcquireAsync(1, args.Context.CancellationToken),
        });

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
        return new ProviderPipeline(builder.Build(), creates, others);
    }

    /// <summary>A per-minute budget as a token bucket refilled every second, holding at most five seconds' worth: calls beyond it wait, oldest first.</summary>
    private static TokenBucketRateLimiter Bucket(int perMinute)
    {
        var perSecond = Math.Max(1, (int)Math.Ceiling(perMinute / 60.0));
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Min(perMinute, perSecond * 5),
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1.0 * perSecond / perMinute),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Exponential back-off: the first wait, doubled per attempt, times the jitter factor (Runway: "a random delay of up to 50%").</summary>
    internal static TimeSpan Backoff(TimeSpan first, int attempt, double jitter) =>
        TimeSpan.FromMilliseconds(first.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)) * jitter);

    /// <summary>Failures that say something about the provider's health: 5xx, 408, timeouts, broken connections.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout,
        _ => false,
    };

    /// <summary>The Retry-After of a 429 (seconds or an HTTP date); null when absent.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
