using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Providers;

/// <summary>
/// The user's media: a URL (a presigned S3 URL, say) or a data: URI. The adapters deliver it within each API's rules: the URL
/// itself where the provider can fetch it, else the bytes (a data URI below the provider's cap, else its upload API).
/// Width and height, when the caller knows them, let "original" aspect ratios map onto what a model offers.
/// </summary>
/// <param name="SizeBytes">The media's size when known, so that limits are checked before any call.</param>
/// <param name="ProviderReachable">
/// False when the URL works only from here (S3 on a private network): the adapter then fetches the bytes and hands them over.
/// </param>
public sealed record MediaInput(string Url, string ContentType, bool IsVideo, int? Width = null, int? Height = null, long? SizeBytes = null,
    bool ProviderReachable = true);

/// <summary>Video options (the game skills' intro and outcome loops).</summary>
public sealed record VideoSpec(int DurationSeconds, bool SeamlessLoop, long? Seed = null, string? CameraMotion = null);

/// <summary>One transformation request, as the providers see it: built from the event by <see cref="From"/>.</summary>
/// <param name="OutputCount">Variations wanted, 1 to 5.</param>
/// <param name="AspectRatio">"original", "16:9", "9:16", "1:1", "4:3", ...</param>
public sealed record GenerationRequest(
    Guid RequestId,
    string TenantId,
    TransformationTask Task,
    MediaInput? Media,
    string SceneDescription,
    string? StylePreset,
    string? PromptOverride,
    int OutputCount,
    string AspectRatio,
    VideoSpec? Video,
    Provider? PreferredProvider)
{
    /// <summary>
    /// The one mapping from the event contract to a generation: Ingest checks its capabilities with it before it publishes
    /// the event, the processor runs it, so that both decide on the same request. The media is the event's reference (its
    /// kind is all that capabilities depend on); the processor swaps in a URL a provider can use before it runs the request.
    /// </summary>
    public static GenerationRequest From(TransformationRequested request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(
            request.RequestId,
            request.TenantId,
            request.Task,
            request.Media is { } media ? new MediaInput(media.Uri, media.ContentType, media.Kind == MediaKind.Video) : null,
            request.SceneDescription,
            request.StylePreset,
            request.Prompt,
            request.OutputCount,
            request.AspectRatio,
            request.Video is { } video ? new VideoSpec(video.DurationSeconds, video.SeamlessLoop, video.Seed, video.CameraMotion) : null,
            request.Provider is { } provider && provider.IsKnown() ? provider : null);
    }
}

/// <summary>One produced media file.</summary>
/// <param name="Index">The variation, 1-based.</param>
/// <param name="Segment">0 for a single clip; the position in the chain when a long video was made of several clips.</param>
/// <param name="DurationSeconds">Length of a video clip as generated.</param>
public sealed record GeneratedOutput(int Index, string Url, string? ContentType, bool IsVideo, int Segment = 0, int? DurationSeconds = null);

/// <summary>A successful (possibly partial) generation.</summary>
public sealed record GenerationResult(
    Provider Provider,
    string Model,
    IReadOnlyList<GeneratedOutput> Outputs,
    IReadOnlyList<string> Warnings,
    decimal Credits,
    string CreditUnit,
    CreditSource CreditSource,
    IReadOnlyList<string> ProviderJobIds,
    Provider? FallbackFrom,
    string? FallbackReason,
    TimeSpan ProviderTime)
{
    /// <summary>Distinct variations that produced media.</summary>
    public int VariationCount => Outputs.Select(o => o.Index).Distinct().Count();

    /// <summary>The seed each produced variation was generated with, in variation order; empty when the model takes no seed.</summary>
    public IReadOnlyList<long> Seeds { get; init; } = [];

    /// <summary>Time jobs spent queued by the provider (Runway's THROTTLED), not charged to their timeouts.</summary>
    public TimeSpan QueuedTime { get; init; }
}

/// <summary>Error classes, covering both seed specs (DESIGN.md documents the mapping to their codes).</summary>
public enum ProviderErrorCode
{
    /// <summary>The request cannot be served as asked (capabilities, limits, an input the provider rejects).</summary>
    InvalidInput,

    /// <summary>Content policy: the provider's moderation rejected the input or the output.</summary>
    InputValidation,

    /// <summary>The account's credits are exhausted.</summary>
    QuotaExceeded,

    /// <summary>The provider failed, answered badly, could not be reached, or its circuit is open.</summary>
    ProviderError,

    /// <summary>The job did not finish within the provider's timeout; it was cancelled.</summary>
    Timeout,
}

/// <summary>
/// A failure. <see cref="Details"/> keeps the provider's own words ("originalError"), its HTTP status,
/// failure code and job id; never keys, never the user's description.
/// </summary>
public sealed record ProviderFailure(
    ProviderErrorCode Code,
    string Message,
    Provider? Provider,
    int? HttpStatus,
    IReadOnlyDictionary<string, string> Details)
{
    public static ProviderFailure Create(ProviderErrorCode code, string message, Provider? provider = null, int? httpStatus = null,
        params (string Key, string? Value)[] details) =>
        new(code, message, provider, httpStatus,
            details.Where(d => d.Value is not null).ToDictionary(d => d.Key, d => d.Value!, StringComparer.Ordinal));

    /// <summary>
    /// Whether the next provider may be tried: only when the provider or this deployment can fix the failure, never when the
    /// user's request or the account's quota caused it (<see cref="Errors.FailureOwner"/>, recorded as the "owner" detail).
    /// </summary>
    public bool AllowsFallback => Details.TryGetValue("owner", out var owner)
        ? owner is "provider" or "configuration"
        : Code is ProviderErrorCode.ProviderError or ProviderErrorCode.Timeout;
}

/// <summary>The end of a run: a result or a failure. Provider problems never surface as exceptions.</summary>
public sealed record GenerationOutcome(GenerationResult? Result, ProviderFailure? Failure)
{
    public bool Succeeded => Result is not null;

    public static GenerationOutcome Success(GenerationResult result) => new(result, null);

    public static GenerationOutcome Fail(ProviderFailure failure) => new(null, failure);
}
