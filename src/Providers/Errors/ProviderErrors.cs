using System.Text.RegularExpressions;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Providers.Errors;

/// <summary>Who can fix a failure; decides whether another provider is tried.</summary>
public enum FailureOwner
{
    /// <summary>The user's request (content policy, media a provider cannot use): another provider would refuse it too.</summary>
    User,

    /// <summary>The provider (outage, internal failure, a job that outlived its deadline): another provider may succeed.</summary>
    Provider,

    /// <summary>This deployment (a model the provider retired, a key, media delivery): another provider may succeed.</summary>
    Configuration,

    /// <summary>The account's credits or daily generations: the operator must act; the spec's QUOTA_EXCEEDED_ERROR.</summary>
    Quota,
}

/// <summary>Where an error was seen.</summary>
public enum ErrorSource
{
    /// <summary>The answer to a create call (or to an upload that precedes it).</summary>
    Create,

    /// <summary>The job's own end state, as polled.</summary>
    Job,

    /// <summary>The answer to a poll, cancel or listing call.</summary>
    Manage,
}

/// <summary>What an adapter saw: the HTTP status, the provider's message, and for jobs their status and failure code.</summary>
public sealed record ErrorFacts(int? Status = null, string? Message = null, string? JobStatus = null, string? FailureCode = null);

/// <summary>
/// One provider error the adapters know, with its class. <see cref="ProviderErrors.All"/> is the table the adapters classify
/// by and the README documents; a fact matches the first row of its provider and source whose test accepts it.
/// </summary>
/// <param name="Id">Stable name, carried in the failure's details ("error").</param>
/// <param name="Message">What the failure says (no user content).</param>
public sealed record KnownError(string Id, Provider Provider, ErrorSource Source, string When, ProviderErrorCode Code, FailureOwner Owner, string Message)
{
    internal Func<ErrorFacts, bool> Matches { get; init; } = _ => true;

    /// <summary>Whether the next provider of the route is tried (never after the user's or the quota's failures).</summary>
    public bool AllowsFallback => Owner is FailureOwner.Provider or FailureOwner.Configuration;

    public ProviderFailure ToFailure(ErrorFacts facts, params (string Key, string? Value)[] more) =>
        ProviderFailure.Create(Code, Message, Provider, facts.Status,
        [
            ("error", Id), ("owner", Owner.ToString().ToLowerInvariant()), ("originalError", facts.Message), ("status", facts.Status?.ToString()),
            ("failureCode", facts.FailureCode), .. more,
        ]);
}

/// <summary>Every provider error the adapters know, by provider and source, in matching order (the last row of each group catches the rest).</summary>
public static partial class ProviderErrors
{
    public static IReadOnlyList<KnownError> All { get; } =
    [
        // Runway: https://docs.dev.runwayml.com/api-details/errors, /errors/troubleshooting, /api-details/task-failures, /usage/tiers.
        Row("runway.create.credits", Provider.Runway, ErrorSource.Create, "400 saying the account has not enough credits",
            ProviderErrorCode.QuotaExceeded, FailureOwner.Quota, "Runway: not enough credits.", f => f.Status == 400 && Credits().IsMatch(f.Message ?? "")),
        Row("runway.create.daily-limit", Provider.Runway, ErrorSource.Create, "429 on create past the bounded wait (the tier's daily generations)",
            ProviderErrorCode.QuotaExceeded, FailureOwner.Quota, "Runway's daily generation limit of the account is reached.", f => f.Status == 429),
        Row("runway.create.model-rejected", Provider.Runway, ErrorSource.Create, "400 rejecting the model (retired since this release)",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Runway no longer accepts the configured model.", f => f.Status == 400 && ModelRejected().IsMatch(f.Message ?? "")),
        Row("runway.create.asset-fetch", Provider.Runway, ErrorSource.Create, "400 'Failed to fetch asset' / 'Timeout while fetching asset'",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Runway could not fetch the input media.", f => f.Status == 400 && AssetFetch().IsMatch(f.Message ?? "")),
        Row("runway.create.asset-rejected", Provider.Runway, ErrorSource.Create, "400 on the asset: size cap, http://, IP host, malformed data URI",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Runway refused how the input media was delivered.", f => f.Status == 400 && AssetRejected().IsMatch(f.Message ?? "")),
        Row("runway.create.rejected", Provider.Runway, ErrorSource.Create, "any other 4xx on create (a parameter the API no longer takes)",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Runway refused the request's parameters.", f => f.Status is >= 400 and < 500 and not (401 or 403 or 429)),
        Row("runway.job.safety", Provider.Runway, ErrorSource.Job, "FAILED with SAFETY.* or INPUT_PREPROCESSING.SAFETY.*",
            ProviderErrorCode.InputValidation, FailureOwner.User, "Runway's content moderation rejected the generation.", f => (f.FailureCode ?? "").Contains("SAFETY", StringComparison.Ordinal)),
        Row("runway.job.bad-asset", Provider.Runway, ErrorSource.Job, "FAILED with ASSET.* (the media cannot be used)",
            ProviderErrorCode.InvalidInput, FailureOwner.User, "Runway could not use the input media.", f => (f.FailureCode ?? "").StartsWith("ASSET", StringComparison.Ordinal)),
        Row("runway.job.cancelled", Provider.Runway, ErrorSource.Job, "CANCELLED by someone else",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "The Runway task was cancelled.", f => f.JobStatus == "CANCELLED"),
        Row("runway.job.failed", Provider.Runway, ErrorSource.Job, "FAILED with INTERNAL.* or any other code",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Runway API error: video generation failed."),

        // Replicate: https://replicate.com/docs/reference/http, /docs/topics/predictions/rate-limits, /changelog/2025-10-16-prediction-deadlines.
        Row("replicate.create.credit", Provider.Replicate, ErrorSource.Create, "402 insufficient credit",
            ProviderErrorCode.QuotaExceeded, FailureOwner.Quota, "Replicate says the account has insufficient credit.", f => f.Status == 402),
        Row("replicate.create.model-not-found", Provider.Replicate, ErrorSource.Create, "404 on the model's predictions endpoint",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Replicate does not know the configured model.", f => f.Status == 404),
        Row("replicate.create.rejected", Provider.Replicate, ErrorSource.Create, "422 input validation (the model's schema changed)",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Replicate refused the prediction's input.", f => f.Status is >= 400 and < 500 and not (401 or 403 or 429)),
        Row("replicate.job.nsfw", Provider.Replicate, ErrorSource.Job, "failed, flagged by the safety checker",
            ProviderErrorCode.InputValidation, FailureOwner.User, "Replicate's safety checker flagged the generated image.", f => Moderation().IsMatch(f.Message ?? "")),
        Row("replicate.job.bad-image", Provider.Replicate, ErrorSource.Job, "failed, the input image cannot be decoded",
            ProviderErrorCode.InvalidInput, FailureOwner.User, "Replicate could not read the input image.", f => BadImage().IsMatch(f.Message ?? "")),
        Row("replicate.job.input-fetch", Provider.Replicate, ErrorSource.Job, "failed, the input URL could not be downloaded",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Replicate could not fetch the input image.", f => AssetFetch().IsMatch(f.Message ?? "")),
        Row("replicate.job.deadline", Provider.Replicate, ErrorSource.Job, "aborted or canceled by the Cancel-After deadline",
            ProviderErrorCode.Timeout, FailureOwner.Provider, "The Replicate prediction reached its deadline.", f => f.JobStatus is "aborted" or "canceled"),
        Row("replicate.job.data-removed", Provider.Replicate, ErrorSource.Job, "succeeded, but its outputs were removed (an hour after creation)",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Replicate removed the prediction's outputs before they were read.", f => f.JobStatus == "data_removed"),
        Row("replicate.job.failed", Provider.Replicate, ErrorSource.Job, "failed for any other reason",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Replicate API error: Image transformation failed."),

        // Leonardo: https://docs.leonardo.ai/reference, Leonardo-Interactive/leonardo-ts-sdk docs/sdk/models/operations.
        Row("leonardo.create.tokens", Provider.Leonardo, ErrorSource.Create, "400 'Not enough API tokens'",
            ProviderErrorCode.QuotaExceeded, FailureOwner.Quota, "Leonardo: not enough API credits.", f => f.Status == 400 && Credits().IsMatch(f.Message ?? "")),
        Row("leonardo.create.moderation", Provider.Leonardo, ErrorSource.Create, "400 from the moderation filter",
            ProviderErrorCode.InputValidation, FailureOwner.User, "Leonardo's content moderation rejected the request.", f => f.Status == 400 && Moderation().IsMatch(f.Message ?? "")),
        Row("leonardo.create.rejected", Provider.Leonardo, ErrorSource.Create, "any other 4xx on create or init image (a model or parameter it no longer takes)",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, "Leonardo refused the request's parameters.", f => f.Status is >= 400 and < 500 and not (401 or 403 or 429)),
        Row("leonardo.job.nsfw", Provider.Leonardo, ErrorSource.Job, "COMPLETE with every video flagged NSFW",
            ProviderErrorCode.InputValidation, FailureOwner.User, "Leonardo flagged the generated video as NSFW.", f => f.JobStatus == "NSFW"),
        Row("leonardo.job.missing", Provider.Leonardo, ErrorSource.Job, "generations_by_pk is null (deleted)",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Leonardo does not know the generation (deleted?).", f => f.JobStatus is null),
        Row("leonardo.job.failed", Provider.Leonardo, ErrorSource.Job, "FAILED",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, "Leonardo API error: video generation failed."),
    ];

    /// <summary>Rows every provider has, for answers whose meaning does not depend on the provider.</summary>
    public static IReadOnlyList<KnownError> Common(Provider provider) =>
    [
        new($"{Prefix(provider)}.auth", provider, ErrorSource.Create, "401 or 403", ProviderErrorCode.ProviderError, FailureOwner.Configuration,
            $"{provider} rejected the credentials (check the API key configuration).") { Matches = f => f.Status is 401 or 403 },
        new($"{Prefix(provider)}.rate-limited", provider, ErrorSource.Create, "429 past the job's deadline or the bounded wait",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, $"{provider} kept rate-limiting beyond the job's deadline.") { Matches = f => f.Status == 429 },
        new($"{Prefix(provider)}.input-unreadable", provider, ErrorSource.Create, "the input could not be read here to hand it over (S3 link, data URI)",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, $"The input media could not be read for delivery to {provider}.") { Matches = _ => false },
        new($"{Prefix(provider)}.input-refused", provider, ErrorSource.Create, "the input URL is one the SSRF guard refuses (an inside address, a redirect there)",
            ProviderErrorCode.InvalidInput, FailureOwner.User, "The input media URL is not one the processor fetches.") { Matches = _ => false },
        new($"{Prefix(provider)}.input-too-large", provider, ErrorSource.Create, "the input is larger than every way the provider accepts media",
            ProviderErrorCode.ProviderError, FailureOwner.Configuration, $"The input media is larger than {provider} accepts.") { Matches = _ => false },
        new($"{Prefix(provider)}.unavailable", provider, ErrorSource.Create, "5xx, timeouts, broken connections, malformed answers, an open circuit",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, $"{provider} failed or could not be reached."),
        new($"{Prefix(provider)}.job-unknown", provider, ErrorSource.Manage, "404 on a job's poll, or any other error of a poll",
            ProviderErrorCode.ProviderError, FailureOwner.Provider, $"{provider} does not know the job."),
        new($"{Prefix(provider)}.timeout", provider, ErrorSource.Job, "the job outlived its deadline and was cancelled",
            ProviderErrorCode.Timeout, FailureOwner.Provider, "AI task timed out"),
    ];

    /// <summary>
    /// The row for what an adapter saw: the provider's own rows of that source first, then the common ones. Manage calls use
    /// the common rows only (a poll's 4xx speaks about the job, never about the user's input).
    /// </summary>
    public static KnownError Classify(Provider provider, ErrorSource source, ErrorFacts facts)
    {
        if (source != ErrorSource.Manage && All.FirstOrDefault(r => r.Provider == provider && r.Source == source && r.Matches(facts)) is { } own)
        {
            return own;
        }

        var common = Common(provider);
        return source == ErrorSource.Manage
            ? common.First(r => r.Source == ErrorSource.Manage)
            : common.First(r => r.Source == ErrorSource.Create && r.Matches(facts));
    }

    /// <summary>A row by id (the runner's own failures: timeouts, unknown job states).</summary>
    public static KnownError Get(string id) =>
        All.Concat(Enum.GetValues<Provider>().Where(p => p.IsKnown()).SelectMany(Common)).First(r => r.Id == id);

    private static string Prefix(Provider provider) => provider.ToString().ToLowerInvariant();

    private static KnownError Row(string id, Provider provider, ErrorSource source, string when, ProviderErrorCode code, FailureOwner owner, string message,
        Func<ErrorFacts, bool>? matches = null) =>
        new(id, provider, source, when, code, owner, message) { Matches = matches ?? (_ => true) };

    [GeneratedRegex(@"credit|api tokens?", RegexOptions.IgnoreCase)]
    private static partial Regex Credits();

    [GeneratedRegex(@"moderation|nsfw|content policy|safety|inappropriate|flagged", RegexOptions.IgnoreCase)]
    private static partial Regex Moderation();

    [GeneratedRegex(@"(^|; )model: |\bmodel\b.*(not (found|available|supported)|retired|deprecated)", RegexOptions.IgnoreCase)]
    private static partial Regex ModelRejected();

    [GeneratedRegex(@"failed to (fetch|download)|timeout while fetching|could not (fetch|download)", RegexOptions.IgnoreCase)]
    private static partial Regex AssetFetch();

    [GeneratedRegex(@"https urls|hosted on a domain|invalid url|invalid data uri|unsupported asset type|too large|size limit|exceeds", RegexOptions.IgnoreCase)]
    private static partial Regex AssetRejected();

    [GeneratedRegex(@"cannot identify image|invalid image|could not decode|unsupported image", RegexOptions.IgnoreCase)]
    private static partial Regex BadImage();
}
