using System.Text.RegularExpressions;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>Failures a simulator can inject, each in the provider's own shape.</summary>
public enum FaultKind
{
    /// <summary>HTTP 500.</summary>
    ServerError,

    /// <summary>HTTP 503 (load shedding).</summary>
    Unavailable,

    /// <summary>HTTP 429 with Retry-After.</summary>
    RateLimited,

    /// <summary>Content moderation rejects the input (at create or as a failed job, as the provider does).</summary>
    ContentPolicy,

    /// <summary>The account's credits are exhausted.</summary>
    InsufficientCredits,

    /// <summary>The job is created but never finishes (until cancelled).</summary>
    NeverFinish,

    /// <summary>The job is created and fails (a provider-side generation error).</summary>
    JobFailed,

    /// <summary>A 2xx answer whose body is not valid JSON (on create, the job exists all the same).</summary>
    MalformedJson,

    /// <summary>The job succeeds with one output fewer than asked (a filtered variation).</summary>
    PartialOutputs,

    /// <summary>The create call names a model the provider no longer accepts (retired after the adapter's release).</summary>
    ModelRetired,

    /// <summary>The provider cannot fetch the input media (Runway: a 400 on create; Replicate: a failed prediction).</summary>
    AssetFetchFailed,

    /// <summary>The provider cannot use the input media (Runway: a task FAILED with ASSET.INVALID; Replicate: a failed prediction).</summary>
    BadMedia,

    /// <summary>The job waits in the provider's queue for <see cref="FaultRule.HoldMs"/> first (Runway: THROTTLED).</summary>
    Throttled,

    /// <summary>The provider refuses how the media was delivered (Runway: a data URI over a cap it lowered).</summary>
    AssetTooLarge,

    /// <summary>The provider refuses a parameter it no longer takes (Runway 400 on the ratio, Replicate 422, Leonardo 400).</summary>
    ParameterRejected,

    /// <summary>The job is cancelled on the provider's side before it ends (Leonardo: the generation is gone).</summary>
    Canceled,

    /// <summary>The job completes with every output flagged NSFW (Leonardo).</summary>
    NsfwOutput,

    /// <summary>A poll answers 404: the provider does not know the job.</summary>
    UnknownJob,

    /// <summary>The job runs normally but its webhook is never delivered (lost on the way).</summary>
    WebhookLost,
}

/// <summary>Which calls a fault rule applies to.</summary>
public enum FaultTarget
{
    Create,
    Poll,

    /// <summary>A listing of jobs (what a worker reads to find a job whose create outcome it does not know).</summary>
    List,
    Any,
}

/// <summary>
/// A failure-injection rule. It applies to matching calls (optionally only when the prompt contains a text), to the next
/// <see cref="Count"/> of them (all when null), each with probability <see cref="Rate"/>. A 429 carries Retry-After of
/// <see cref="RetryAfterSeconds"/> (none when 0); <see cref="HoldMs"/> is how long a Throttled job stays queued.
/// </summary>
public sealed record FaultRule(FaultKind Kind, FaultTarget On = FaultTarget.Create, int? Count = null, double Rate = 1.0, string? PromptContains = null,
    int RetryAfterSeconds = 1, int HoldMs = 1000);

/// <summary>
/// The active rules, plus prompt markers: a prompt containing "[sim:content_policy]" (any <see cref="FaultKind"/> in
/// snake_case) gets that fault on create, so a test can target one request without touching the control API.
/// </summary>
public sealed partial class FaultPlan
{
    private readonly Lock gate = new();
    private readonly List<MutableRule> rules = [];

    private sealed class MutableRule(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public int? Remaining { get; set; } = rule.Count;
    }

    public void Add(FaultRule rule)
    {
        lock (gate)
        {
            rules.Add(new MutableRule(rule));
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            rules.Clear();
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (gate)
            {
                return rules.Where(r => r.Remaining is null or > 0).Select(r => r.Rule with { Count = r.Remaining }).ToList();
            }
        }
    }

    /// <summary>The fault for this call, consuming one use of the rule that supplies it.</summary>
    public (FaultKind Kind, int RetryAfterSeconds, int HoldMs)? Next(FaultTarget target, string? prompt)
    {
        if (target == FaultTarget.Create && prompt is not null && Marker().Match(prompt) is { Success: true } marker &&
            Enum.TryParse<FaultKind>(marker.Groups[1].Value.Replace("_", "", StringComparison.Ordinal), true, out var marked))
        {
            return (marked, 1, 1000);
        }

        lock (gate)
        {
            foreach (var rule in rules)
            {
                var r = rule.Rule;
                if ((r.On == FaultTarget.Any || r.On == target) && rule.Remaining is null or > 0 &&
                    (r.PromptContains is null || (prompt?.Contains(r.PromptContains, StringComparison.Ordinal) ?? false)) &&
                    (r.Rate >= 1 || Random.Shared.NextDouble() < r.Rate))
                {
                    rule.Remaining--;
                    return (r.Kind, r.RetryAfterSeconds, r.HoldMs);
                }
            }
        }

        return null;
    }

    [GeneratedRegex(@"\[sim:([a-z_]+)\]")]
    private static partial Regex Marker();
}
