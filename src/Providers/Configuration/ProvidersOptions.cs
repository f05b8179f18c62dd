using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Fetching;

namespace CinematicSwitch.Providers.Configuration;

/// <summary>
/// Section "Providers". Each provider also reads the flat environment names of the seed specs
/// (REPLICATE_API_TOKEN, RUNWAY_API_KEY, RUNWAY_API_BASE_URL, RUNWAY_POLL_INTERVAL_MS, ...) when its own key is absent.
/// </summary>
public sealed class ProvidersOptions
{
    public const string SectionName = "Providers";

    public ReplicateOptions Replicate { get; set; } = new();

    public RunwayOptions Runway { get; set; } = new();

    public LeonardoOptions Leonardo { get; set; } = new();

    public RoutingOptions Routing { get; set; } = new();

    /// <summary>The SSRF guard's settings for the media the processor reads itself to hand to a provider as bytes.</summary>
    public FetchGuardOptions MediaFetch { get; set; } = new();
}

/// <summary>
/// Which providers serve which kind of request, in order: the first capable one runs, the next ones are fallbacks.
/// Unset lists mean [Replicate] for images and [Runway, Leonardo] for video (defaults are applied after binding,
/// so that a configured list replaces them instead of being appended to them).
/// </summary>
public sealed class RoutingOptions
{
    internal static readonly Provider[] DefaultImageProviders = [Provider.Replicate];
    internal static readonly Provider[] DefaultVideoProviders = [Provider.Runway, Provider.Leonardo];

    public List<Provider> ImageProviders { get; set; } = [];

    public List<Provider> VideoProviders { get; set; } = [];
}

/// <summary>Polly circuit breaker over a provider's HTTP calls (5xx, timeouts, connection failures count).</summary>
public sealed class CircuitBreakerSettings
{
    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 10;

    public int SamplingDurationMs { get; set; } = 60_000;

    public int BreakDurationMs { get; set; } = 30_000;
}

/// <summary>Per-minute budgets of one process's calls to a provider (Polly.RateLimiting token buckets).</summary>
public sealed class RequestBudget
{
    /// <summary>Create calls per minute (and uploads, which precede them).</summary>
    public int CreatesPerMinute { get; set; }

    /// <summary>Every other call per minute: polls, cancels, look-ups.</summary>
    public int OtherPerMinute { get; set; }
}

/// <summary>
/// A provider's webhooks: a doorbell that a job ended (Ingest verifies it and writes it to cinematic.provider.job-events), after
/// which the processor running the job reads it once. Polling goes on every <see cref="SafetyNetPollIntervalMs"/>, for a lost
/// webhook. Replicate: per prediction, signed (Standard Webhooks). Leonardo: the webhook callback URL and key set on the
/// production API key. Runway has none.
/// </summary>
public sealed class WebhookSettings
{
    public bool Enabled { get; set; }

    /// <summary>Replicate: the public HTTPS URL of Ingest's POST /webhooks/replicate, sent with every prediction.</summary>
    public string Url { get; set; } = "";

    /// <summary>
    /// Replicate: the signing secret ("whsec_..."); empty: Ingest reads it from GET v1/webhooks/default/secret with its API key.
    /// Leonardo: the webhook callback API key set on the production API key (sent as "Authorization: Bearer ..."). Never logged.
    /// </summary>
    public string Secret { get; set; } = "";

    /// <summary>Time between two polls of a job while webhooks are on: the safety net for a webhook that never arrives.</summary>
    public int SafetyNetPollIntervalMs { get; set; } = 30_000;
}

/// <summary>What every provider has: endpoint, key, timing, limits, resilience and the credit rate table.</summary>
public abstract class ProviderOptions
{
    /// <summary>A disabled provider is never routed to (its key may then be empty).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The secret. Never logged, never put in an exception message.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>Origin (and path prefix) in front of "v1/...".</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>How long a job may take from its creation before it is cancelled (Timeout).</summary>
    public int TimeoutMs { get; set; }

    /// <summary>Time between two status polls of a job.</summary>
    public int PollIntervalMs { get; set; }

    /// <summary>Timeout of one HTTP attempt.</summary>
    public int RequestTimeoutMs { get; set; } = 30_000;

    /// <summary>Jobs of this provider in flight at once, across all requests of this process.</summary>
    public int MaxConcurrent { get; set; }

    /// <summary>
    /// Retries of failed idempotent calls (polls, cancels). 0 by default: the service spec says "no retries".
    /// Create calls are never retried on an ambiguous failure, so that no job is paid for twice.
    /// </summary>
    public int MaxRetries { get; set; }

    /// <summary>
    /// How many times an HTTP 429 is waited out, always within the job's deadline: Retry-After when the provider sends it, else
    /// exponential back-off (<see cref="RateLimitBackoffMs"/>, doubling, plus up to 50 % jitter). A create call still refused
    /// after these waits fails (Runway: its daily generation cap, QUOTA_EXCEEDED_ERROR).
    /// </summary>
    public int MaxRateLimitWaits { get; set; } = 5;

    /// <summary>The first back-off after a 429 without Retry-After.</summary>
    public int RateLimitBackoffMs { get; set; } = 1_000;

    /// <summary>
    /// Calls this process may make, as token buckets: create calls (uploads included) and every other call (polls, cancels,
    /// listings). Set each to the account's documented limit divided by the number of processor processes.
    /// </summary>
    public RequestBudget RateLimits { get; set; } = new();

    /// <summary>
    /// Longest time a job may wait in the provider's queue (Runway's THROTTLED: the account's concurrency is used up) without
    /// that time counting against <see cref="TimeoutMs"/>; queued time beyond it does count.
    /// </summary>
    public int MaxQueuedMs { get; set; } = 1_800_000;

    /// <summary>
    /// After a restart, how old a "Starting" checkpoint must be before a failed look-up is trusted to mean
    /// "the create call never reached the provider" (a slow create may still be landing).
    /// </summary>
    public int ResumeLookupGraceMs { get; set; } = 10_000;

    /// <summary>Longest prompt the provider accepts (characters, UTF-16 code units).</summary>
    public int MaxPromptLength { get; set; }

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    /// <summary>
    /// Credits per model when the provider does not report them: per second of video for video models,
    /// per image for image models.
    /// </summary>
    public Dictionary<string, decimal> CreditRates { get; set; } = [];

    public string CreditUnit { get; set; } = "credits";

    public WebhookSettings Webhook { get; set; } = new();

    internal TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMs);

    internal TimeSpan MaxQueued => TimeSpan.FromMilliseconds(MaxQueuedMs);

    internal TimeSpan PollInterval => TimeSpan.FromMilliseconds(PollIntervalMs);

    /// <summary>Time between two polls of a job: the safety net's when webhooks ring the doorbell, else the regular interval.</summary>
    internal TimeSpan WaitBetweenPolls => Webhook.Enabled ? TimeSpan.FromMilliseconds(Webhook.SafetyNetPollIntervalMs) : PollInterval;

    internal Uri BaseUri => new(BaseUrl.EndsWith('/') ? BaseUrl : BaseUrl + "/", UriKind.Absolute);
}

/// <summary>Replicate predictions API, black-forest-labs/flux-dev.</summary>
public sealed class ReplicateOptions : ProviderOptions
{
    public ReplicateOptions()
    {
        BaseUrl = "https://api.replicate.com";
        TimeoutMs = 180_000;
        PollIntervalMs = 1_000;
        MaxConcurrent = 64;
        MaxPromptLength = 6_000;
        CreditRates = new() { ["black-forest-labs/flux-dev"] = 0.025m };
        CreditUnit = "usd";

        // https://replicate.com/docs/topics/predictions/rate-limits: 600 creates and 3000 other calls a minute per account.
        RateLimits = new RequestBudget { CreatesPerMinute = 600, OtherPerMinute = 3000 };
    }

    /// <summary>Models whose input schema the adapter speaks (the only ones <see cref="Model"/> may name).</summary>
    internal static readonly string[] KnownModels = ["black-forest-labs/flux-dev"];

    /// <summary>Official model, run through POST v1/models/{owner}/{name}/predictions.</summary>
    public string Model { get; set; } = "black-forest-labs/flux-dev";

    /// <summary>Seconds of "Prefer: wait" on create (1-60); 0 creates asynchronously.</summary>
    public int PreferWaitSeconds { get; set; } = 5;

    /// <summary>png, jpg or webp.</summary>
    public string OutputFormat { get; set; } = "png";

    /// <summary>flux-dev's num_outputs limit; more variations take more predictions.</summary>
    public int MaxOutputsPerPrediction { get; set; } = 4;

    /// <summary>How far the image may move away from the input photo (flux-dev prompt_strength).</summary>
    public double PromptStrength { get; set; } = 0.8;

    /// <summary>
    /// flux-dev's go_fast (fp8). Off by default: with it on, the model says outputs are not deterministic even with a seed,
    /// and the seed recorded in the completed event would not reproduce the result.
    /// </summary>
    public bool GoFast { get; set; }

    /// <summary>
    /// Largest input sent inline as a data URI; larger ones go as a URL Replicate can fetch or through its files API.
    /// Replicate's HTTP reference: an HTTP URL "when you have a large file &gt; 256kb".
    /// </summary>
    public long MaxDataUriBytes { get; set; } = 256 * 1024;
}

/// <summary>Runway developer API (api.dev.runwayml.com), task based.</summary>
public sealed class RunwayOptions : ProviderOptions
{
    public RunwayOptions()
    {
        BaseUrl = "https://api.dev.runwayml.com";
        TimeoutMs = 300_000;
        PollIntervalMs = 10_000;
        MaxConcurrent = 1;
        MaxPromptLength = 1_000;
        // Credits per second of video (per image for gen4_image), from Runway's published rates (runwayml/skills README);
        // aleph2's is not published there: gen4_aleph's is used.
        CreditRates = new()
        {
            ["gen4.5"] = 12m,
            ["gen4_turbo"] = 5m,
            ["veo3.1"] = 20m,
            ["veo3.1_fast"] = 10m,
            ["aleph2"] = 15m,
            ["gen4_image"] = 5m,
        };
        CreditUnit = "runway_credits";

        // No requests-per-minute limit is published (https://docs.dev.runwayml.com/usage/tiers: concurrency and daily
        // generations per tier); these budgets only keep a runaway loop from hammering the API.
        RateLimits = new RequestBudget { CreatesPerMinute = 120, OtherPerMinute = 1200 };
    }

    /// <summary>The X-Runway-Version header.</summary>
    public string ApiVersion { get; set; } = "2024-11-06";

    /// <summary>Which model serves which task (defaults applied after binding, so that a configured list replaces them).</summary>
    public RunwayModelTable Models { get; set; } = new();

    /// <summary>Most clips one video may be chained from (duration beyond a model's longest clip).</summary>
    public int MaxChainSegments { get; set; } = 6;
}

/// <summary>Runway's models per task, each list in order of preference (the first that can do the request is used).</summary>
public sealed class RunwayModelTable
{
    internal static readonly string[] DefaultImageToVideo = ["gen4.5", "gen4_turbo"];
    internal static readonly string[] DefaultTextToVideo = ["gen4.5"];
    internal static readonly string[] DefaultKeyframes = ["veo3.1_fast"];

    /// <summary>One clip from an image (POST v1/image_to_video). Unset: gen4.5, gen4_turbo.</summary>
    public List<string> ImageToVideo { get; set; } = [];

    /// <summary>Native text-to-video, one paid task (POST v1/text_to_video). Unset: gen4.5.</summary>
    public List<string> TextToVideo { get; set; } = [];

    /// <summary>
    /// Clips with a first and a last keyframe: seamless loops, and videos longer than one clip chained from clips that start and
    /// end on the same frame. Unset: veo3.1_fast.
    /// </summary>
    public List<string> Keyframes { get; set; } = [];

    /// <summary>The first frame of a text-to-video request that needs keyframes or a ratio text-to-video lacks (POST v1/text_to_image).</summary>
    public string FirstFrame { get; set; } = "gen4_image";

    /// <summary>POST v1/video_to_video.</summary>
    public string VideoToVideo { get; set; } = "aleph2";
}

/// <summary>Leonardo.Ai REST API (cloud.leonardo.ai/api/rest/v1), generations with polling.</summary>
public sealed class LeonardoOptions : ProviderOptions
{
    public LeonardoOptions()
    {
        BaseUrl = "https://cloud.leonardo.ai/api/rest";
        TimeoutMs = 180_000;
        PollIntervalMs = 5_000;
        MaxConcurrent = 4;
        MaxPromptLength = 1_500;
        CreditRates = new() { ["MOTION2"] = 5m, ["MOTION2FAST"] = 5m };
        CreditUnit = "leonardo_api_credits";

        // Leonardo publishes no figures (https://docs.leonardo.ai/docs/guide-to-concurrency-queue-and-rate-limit: concurrency,
        // queue and rate limits per account); conservative budgets.
        RateLimits = new RequestBudget { CreatesPerMinute = 60, OtherPerMinute = 600 };
    }

    /// <summary>Models the adapter speaks: 5-second clips without an end frame, at the sizes of Leonardo's Motion 2.0 table.</summary>
    internal static readonly string[] KnownVideoModels = ["MOTION2", "MOTION2FAST"];

    /// <summary>Video model of generations-image-to-video and generations-text-to-video.</summary>
    public string VideoModel { get; set; } = "MOTION2";

    /// <summary>RESOLUTION_480 or RESOLUTION_720.</summary>
    public string Resolution { get; set; } = "RESOLUTION_720";

    /// <summary>Largest input image uploaded as an init image.</summary>
    public long MaxInitImageBytes { get; set; } = 16 * 1024 * 1024;
}
