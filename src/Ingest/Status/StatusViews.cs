using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Status;

/// <summary>The answer to a POST: the request id and where to follow it.</summary>
public sealed record AcceptedResponse(bool Success, Guid RequestId, string Status, string StatusUrl);

/// <summary>
/// GET /requests/{id}: where the request is; the spec's "result" once completed (with links that download each output,
/// in the same order), its error JSON once failed.
/// </summary>
public sealed record StatusResponse(
    bool Success,
    Guid RequestId,
    string Status,
    string? Stage,
    string? Provider,
    int Attempt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Task,
    MediaView? Media,
    int OutputCount,
    string StatusUrl,
    TransformationResult? Result,
    IReadOnlyList<string>? DownloadUrls,
    ErrorBody? Error);

/// <summary>GET /requests: the calling tenant's latest requests, newest first.</summary>
public sealed record RecentRequestsResponse(string TenantId, IReadOnlyList<StatusResponse> Requests);

public sealed record MediaView(string ContentType, MediaKind Kind, long SizeBytes, string Sha256);

/// <summary>The spec's success "result": <c>{"provider", "task", "success", "data": {...}}</c>.</summary>
public sealed record TransformationResult(string Provider, string Task, bool Success, TransformationData Data);

public sealed record TransformationData(
    IReadOnlyList<string> TransformedMediaUrls,
    double ProcessingTime,
    string ModelUsed,
    int VariationCount,
    IReadOnlyList<string>? Warnings);

/// <summary>The spec's /dev/run success envelope, with the request id added.</summary>
public sealed record DevRunResponse(bool Success, Guid RequestId, TransformationResult Result);

/// <summary>GET /credits.</summary>
public sealed record CreditsResponse(string TenantId, IReadOnlyList<CreditTotalView> Totals, IReadOnlyList<CreditEntryView> Recent);

public sealed record CreditTotalView(string CreditUnit, decimal Credits, int Requests);

public sealed record CreditEntryView(
    Guid RequestId,
    DateTimeOffset OccurredAt,
    TransformationTask Task,
    Provider Provider,
    string Model,
    decimal Credits,
    string CreditUnit,
    CreditSource CreditSource);

/// <summary>Turns projection state into the API's answers; links to archived media are presigned when needed.</summary>
internal sealed class StatusViews(ObjectStore store, IOptions<IngestOptions> options, TimeProvider time)
{
    // A link that expires sooner than this is replaced by a fresh one.
    private static readonly TimeSpan MinimumLinkLife = TimeSpan.FromMinutes(5);

    private const string FailedVariation = "Failed to generate variation";

    private readonly TimeSpan _presignValidity = TimeSpan.FromMinutes(options.Value.Status.PresignMinutes);

    public static string StatusUrl(Guid requestId) => $"/requests/{requestId}";

    public static string StatusName(RequestPhase phase) => phase.ToString().ToLowerInvariant();

    /// <summary>The spec's provider names: REPLICATE, RUNWAY, LEONARDO.</summary>
    public static string ProviderName(Provider provider) => provider.ToString().ToUpperInvariant();

    public static AcceptedResponse Accepted(RequestState state) => new(true, state.RequestId, StatusName(state.Phase), StatusUrl(state.RequestId));

    /// <summary>The spec's task names: IMAGE_GENERATION for images, VIDEO_GENERATION for every video task.</summary>
    public static string SpecTask(TransformationTask task) => task switch
    {
        TransformationTask.ImageTransform => "IMAGE_GENERATION",
        TransformationTask.Unknown => "UNKNOWN",
        _ => "VIDEO_GENERATION",
    };

    public async Task<StatusResponse> StatusAsync(RequestState state)
    {
        var phase = state.Phase;
        return new StatusResponse(
            phase != RequestPhase.Failed,
            state.RequestId,
            StatusName(phase),
            phase switch
            {
                RequestPhase.Pending => state.Generating is null ? "queued" : "generating",
                RequestPhase.Processing => "archiving",
                _ => null,
            },
            state.Generating is { } generating ? ProviderName(generating.Provider) : null,
            state.Attempt,
            state.CreatedAt,
            state.UpdatedAt,
            SpecTask(state.Task),
            state.Media is { } media ? new MediaView(media.ContentType, media.Kind, media.SizeBytes, media.Sha256) : null,
            state.OutputCount,
            StatusUrl(state.RequestId),
            phase == RequestPhase.Completed ? await ResultAsync(state) : null,
            phase == RequestPhase.Completed ? await DownloadUrlsAsync(state) : null,
            phase == RequestPhase.Failed ? Error(state.Failed!) : null);
    }

    public async Task<RecentRequestsResponse> RecentAsync(string tenantId, IReadOnlyList<RequestState> states)
    {
        var views = new List<StatusResponse>(states.Count);
        foreach (var state in states)
        {
            views.Add(await StatusAsync(state));
        }

        return new RecentRequestsResponse(tenantId, views);
    }

    /// <summary>The spec's "result" of a completed (archived) request.</summary>
    public async Task<TransformationResult> ResultAsync(RequestState state)
    {
        var archived = state.Archived!.Event;
        var urls = new List<string>();
        foreach (var output in archived.Outputs.OrderBy(o => o.Index))
        {
            urls.Add(output.HttpsUrl is { } url && (output.HttpsUrlExpiresAt is not { } expires || expires - time.GetUtcNow() > MinimumLinkLife)
                ? url
                : await store.PresignGetAsync(S3ObjectRef.Parse(output.S3Uri), _presignValidity));
        }

        var warnings = archived.Warnings.Count > 0 ? archived.Warnings : state.Completed?.Warnings ?? [];
        var requested = state.Completed?.RequestedCount ?? state.OutputCount;
        var failedVariations = warnings.Count(w => w.StartsWith(FailedVariation, StringComparison.Ordinal));
        return new TransformationResult(
            ProviderName(archived.Provider),
            SpecTask(state.Task),
            true,
            new TransformationData(
                urls,
                Math.Round((state.Completed?.ProcessingTimeMs ?? 0) / 1000.0, 1),
                archived.Model,
                // A chained video has several clips per variation: count variations, not files.
                requested > 0 ? Math.Clamp(requested - failedVariations, 1, Math.Max(1, urls.Count)) : urls.Count,
                warnings.Count > 0 ? warnings : null));
    }

    /// <summary>
    /// Links that save each archived output as a file (a link to another origin cannot be made a download by the page):
    /// always freshly presigned, since the archiver's links show the media instead.
    /// </summary>
    private async Task<IReadOnlyList<string>> DownloadUrlsAsync(RequestState state)
    {
        var urls = new List<string>();
        foreach (var output in state.Archived!.Event.Outputs.OrderBy(o => o.Index))
        {
            var location = S3ObjectRef.Parse(output.S3Uri);
            urls.Add(await store.PresignGetAsync(location, _presignValidity, $"cinematic-switch-{state.RequestId}-{output.Index + 1}{Path.GetExtension(location.Key)}"));
        }

        return urls;
    }

    /// <summary>A failed request as the spec's error JSON, through the one mapping of <see cref="ApiErrors"/>.</summary>
    public static ErrorBody Error(FailedInfo failed)
    {
        var error = failed.Error;
        var api = ApiErrors.From(error);
        var details = error.Details.ToDictionary(d => d.Key, d => DetailValues.Typed(d.Key, d.Value), StringComparer.Ordinal);
        if (error.Provider is { } provider and not Provider.Unknown)
        {
            details.TryAdd("provider", ProviderName(provider));
        }

        if (error.HttpStatus is { } status)
        {
            details.TryAdd("status", status);
        }

        return new ErrorBody(api.Code, api.Message, details, api.StatusCode);
    }

    public static CreditsResponse Credits(string tenantId, CreditsSnapshot snapshot) => new(
        tenantId,
        snapshot.Totals.Select(t => new CreditTotalView(t.Unit, t.Credits, t.Requests)).ToList(),
        snapshot.Latest.Select(e => new CreditEntryView(e.RequestId, e.OccurredAt, e.Task, e.Provider, e.Model, e.Credits, e.CreditUnit, e.CreditSource)).ToList());
}
