using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Errors;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Leonardo.Ai's REST API (v1): the input image goes up through POST v1/init-image and its presigned form upload,
/// then POST v1/generations-image-to-video or v1/generations-text-to-video (Motion 2.0) creates the generation;
/// GET v1/generations/{id} polls it, DELETE v1/generations/{id} discards it (the API has no cancel),
/// GET v1/me + v1/generations/user/{userId} (paged) find a generation whose create outcome is unknown, and
/// DELETE v1/init-image/{id} removes the uploaded image once its generation has ended. The cost comes from the create
/// answer's cost {amount, unit} (apiCreditCost, deprecated, only when cost is absent).
/// Motion 2.0 makes 5-second clips with a first frame only: no loops, no chaining.
/// </summary>
internal sealed class LeonardoAdapter : IProviderAdapter, IDisposable
{
    public const string ClientName = "CinematicSwitch.Providers.Leonardo";
    private const int ClipSeconds = 5;
    private const int ListingPageSize = 50;
    private const long MaxSeed = 2_147_483_637L;

    /// <summary>Text-to-video sizes of Motion 2.0 (Leonardo's "Video Dimensions" table).</summary>
    private static readonly Dictionary<string, (int Width, int Height)> TextToVideoSizes = new()
    {
        ["16:9"] = (832, 480),
        ["9:16"] = (480, 832),
        ["2:3"] = (512, 768),
        ["4:5"] = (576, 720),
    };

    private readonly LeonardoOptions options;
    private readonly ProviderHttp http;
    private readonly MediaDelivery delivery;

    public LeonardoAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, MediaDelivery delivery, TimeProvider time, ILogger<LeonardoAdapter> logger)
    {
        this.options = options.Value.Leonardo;
        this.delivery = delivery;
        http = new ProviderHttp(Provider.Leonardo, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProviderHttp.ErrorMember,
        };
    }

    public Provider Name => Provider.Leonardo;

    public ProviderOptions Options => options;

    public bool CanFindJobs => true;

    public PlanDecision Plan(GenerationRequest request)
    {
        if (request.Task is not (TransformationTask.ImageToVideo or TransformationTask.TextToVideo))
        {
            return PlanDecision.Refuse($"Leonardo ({options.VideoModel}) makes image-to-video and text-to-video only.");
        }

        if (request.Video?.SeamlessLoop == true)
        {
            return PlanDecision.Refuse($"Leonardo ({options.VideoModel}) has no last-frame keyframe, so it cannot make seamless loops.");
        }

        if ((request.Video?.DurationSeconds ?? ClipSeconds) > ClipSeconds)
        {
            return PlanDecision.Refuse($"Leonardo ({options.VideoModel}) makes {ClipSeconds}-second clips and cannot chain them.");
        }

        string? size = null;
        if (request.Task == TransformationTask.ImageToVideo)
        {
            if (request.Media is null || request.Media.IsVideo)
            {
                return PlanDecision.Refuse("Image-to-video needs an input image.");
            }

            if (MediaDelivery.SizeOf(request.Media) > options.MaxInitImageBytes)
            {
                return PlanDecision.Refuse($"Leonardo takes init images up to {options.MaxInitImageBytes} bytes.");
            }

            // The clip takes the input image's proportions: only "original", or a ratio the image already has.
            if (!AspectRatios.IsOriginal(request.AspectRatio) && !MatchesMedia(request.AspectRatio, request.Media))
            {
                return PlanDecision.Refuse($"Leonardo's image-to-video keeps the input image's proportions; it cannot make '{request.AspectRatio}' from it.");
            }
        }
        else
        {
            if (request.Media is not null)
            {
                return PlanDecision.Refuse("Text-to-video takes no media.");
            }

            size = AspectRatios.Choose(request.AspectRatio, null, TextToVideoSizes.Keys, "16:9");
            if (size is null)
            {
                return PlanDecision.Refuse($"Leonardo's text-to-video offers {string.Join(", ", TextToVideoSizes.Keys)}, not '{request.AspectRatio}'.");
            }
        }

        var prompt = PromptBuilder.Build(request, options.MaxPromptLength, "Leonardo");
        if (prompt.Prompt is null)
        {
            return PlanDecision.Refuse(prompt.Refusal!);
        }

        var operation = request.Task == TransformationTask.ImageToVideo ? JobOperation.ImageToVideo : JobOperation.TextToVideo;
        var jobs = Enumerable.Range(1, request.OutputCount)
            .Select(v => new PlannedJob(v - 1, options.VideoModel, operation, prompt.Prompt, v, 0, 1, size, ClipSeconds,
                AdapterSupport.SeedFor(request, v, MaxSeed), false, null))
            .ToList();
        return new PlanDecision(new GenerationPlan(Name, options.VideoModel, jobs, []), null);
    }

    public async Task<JobCreated> CreateAsync(PlannedJob job, MediaInput? media, JobContext context, CancellationToken cancellationToken)
    {
        JsonObject body;
        string path;
        string? imageId = null;
        if (job.Operation == JobOperation.ImageToVideo)
        {
            imageId = await UploadInitImageAsync(media!, context, cancellationToken);
            path = "v1/generations-image-to-video";
            body = new JsonObject { ["imageId"] = imageId, ["imageType"] = "UPLOADED" };
        }
        else
        {
            var (width, height) = TextToVideoSizes[job.Ratio!];
            path = "v1/generations-text-to-video";
            body = new JsonObject { ["width"] = width, ["height"] = height };
        }

        body["prompt"] = job.Prompt;
        body["model"] = job.Model;
        body["resolution"] = options.Resolution;
        body["frameInterpolation"] = true;
        body["promptEnhance"] = false;
        body["isPublic"] = false;
        body["seed"] = job.Seed;
        IReadOnlyList<string> uploads = imageId is null ? [] : [imageId];
        try
        {
            var answer = await http.SendAsync(() => Json(HttpMethod.Post, path, body), CallKind.Create, context, cancellationToken);
            var created = http.ParseJson(answer, CallKind.Create)["motionVideoGenerationJob"];
            var id = ProviderHttp.Text(created, "generationId") ?? throw new ProviderException(
                http.Unavailable("Leonardo's create answer had no generation id.", "missing generationId") with { HttpStatus = (int)answer.Status }, ambiguous: true);
            var (cost, unit) = Cost(created);
            return new JobCreated(id, cost, null, unit, uploads);
        }
        catch (ProviderException ex) when (!ex.Ambiguous && uploads.Count > 0)
        {
            // No generation will read the init image.
            await ReleaseAsync(uploads, context, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The create answer's cost: cost {amount (a string), unit CREDITS or DOLLARS}; the deprecated apiCreditCost (credits)
    /// only when cost is absent.
    /// </summary>
    private static (decimal? Amount, string? Unit) Cost(JsonNode? job)
    {
        if (job?["cost"] is JsonObject cost && decimal.TryParse(cost["amount"]?.ToString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
        {
            return (amount, ProviderHttp.Text(cost, "unit") switch
            {
                "DOLLARS" => "usd",
                _ => "leonardo_api_credits",
            });
        }

        return job?["apiCreditCost"] is JsonValue value && value.TryGetValue<decimal>(out var credits) ? (credits, "leonardo_api_credits") : (null, null);
    }

    /// <summary>Deletes the init images of a generation that has ended.</summary>
    public async Task ReleaseAsync(IReadOnlyList<string> uploads, JobContext context, CancellationToken cancellationToken)
    {
        foreach (var id in uploads)
        {
            await http.SendAsync(() => Request(HttpMethod.Delete, $"v1/init-image/{Uri.EscapeDataString(id)}"), CallKind.Manage, context, cancellationToken);
        }
    }

    public async Task<JobStatus> GetAsync(PlannedJob job, string jobId, JobContext context, CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(() => Request(HttpMethod.Get, $"v1/generations/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);
        return Status(http.ParseJson(answer, CallKind.Manage)["generations_by_pk"]);
    }

    public Task CancelAsync(string jobId, JobContext context, CancellationToken cancellationToken) =>
        http.SendAsync(() => Request(HttpMethod.Delete, $"v1/generations/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);

    public async Task<JobCreated?> FindAsync(PlannedJob job, DateTimeOffset notBefore, JobContext context, CancellationToken cancellationToken)
    {
        var me = http.ParseJson(await http.SendAsync(() => Request(HttpMethod.Get, "v1/me"), CallKind.Manage, context, cancellationToken), CallKind.Manage);
        var userId = ProviderHttp.Text((me["user_details"] as JsonArray)?.FirstOrDefault()?["user"], "id");
        if (userId is null)
        {
            return null;
        }

        // Newest first, a page at a time, until the generations are older than the intent (less a margin for clock skew).
        var earliest = notBefore.AddSeconds(-30);
        for (var offset = 0; ; offset += ListingPageSize)
        {
            var page = offset;
            var answer = await http.SendAsync(() => Request(HttpMethod.Get,
                $"v1/generations/user/{Uri.EscapeDataString(userId)}?offset={page}&limit={ListingPageSize}"), CallKind.Manage, context, cancellationToken);
            var generations = (http.ParseJson(answer, CallKind.Manage)["generations"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var generation in generations)
            {
                if (ProviderHttp.Text(generation, "prompt") == job.Prompt && generation["seed"] is JsonValue seed && seed.TryGetValue<long>(out var value) &&
                    value == job.Seed && CreatedAt(generation) >= earliest && ProviderHttp.Text(generation, "id") is { } id)
                {
                    return new JobCreated(id, null, Status(generation));
                }
            }

            if (generations.Count < ListingPageSize || generations.All(g => CreatedAt(g) is not { } at || at < earliest))
            {
                return null;
            }
        }
    }

    private static DateTimeOffset? CreatedAt(JsonObject generation) =>
        DateTimeOffset.TryParse(ProviderHttp.Text(generation, "createdAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    public decimal EstimateCredits(PlannedJob job, int outputs) =>
        options.CreditRates.GetValueOrDefault(job.Model) * (job.DurationSeconds ?? ClipSeconds) * outputs;

    private JobStatus Status(JsonNode? generation)
    {
        switch (ProviderHttp.Text(generation, "status"))
        {
            case null when generation is null:
                return new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(Message: "generations_by_pk is null")));
            case "COMPLETE":
                var images = (generation!["generated_images"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var clean = images.Where(i => i["nsfw"] is not JsonValue flag || !flag.TryGetValue<bool>(out var nsfw) || !nsfw)
                    .Select(i => ProviderHttp.Text(i, "motionMP4URL") ?? ProviderHttp.Text(i, "url")).OfType<string>().ToList();
                return clean.Count > 0 || images.Count == 0
                    ? new JobStatus(JobPhase.Succeeded, clean, null)
                    : new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(Message: "nsfw output", JobStatus: "NSFW")));
            case "FAILED":
                return new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(JobStatus: "FAILED")));
            default:
                return JobStatus.Running;
        }
    }

    /// <summary>POST v1/init-image, then the presigned form upload (to S3 in production): returns the init image id.</summary>
    private async Task<string> UploadInitImageAsync(MediaInput media, JobContext context, CancellationToken cancellationToken)
    {
        MediaBytes bytes;
        try
        {
            bytes = await delivery.ReadAsync(media, options.MaxInitImageBytes, cancellationToken);
        }
        catch (MediaUnavailableException ex)
        {
            throw new ProviderException(ProviderErrors.Get(ex.TooLarge ? "leonardo.input-too-large" : ex.Refused ? "leonardo.input-refused" : "leonardo.input-unreadable")
                .ToFailure(new ErrorFacts(Message: ex.Message)), false, ex);
        }

        var extension = bytes.Extension == "png" || bytes.Extension == "webp" ? bytes.Extension : "jpg";
        var answer = await http.SendAsync(() => Json(HttpMethod.Post, "v1/init-image", new JsonObject { ["extension"] = extension }),
            CallKind.Create, context, cancellationToken);
        var upload = http.ParseJson(answer, CallKind.Manage)["uploadInitImage"];
        var imageId = ProviderHttp.Text(upload, "id");
        if (imageId is null || ProviderHttp.Text(upload, "url") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var target))
        {
            throw new ProviderException(http.Unavailable("Leonardo's init-image answer had no upload target.", "missing id or url"));
        }

        var fields = ProviderHttp.Text(upload, "fields") is { } raw ? JsonNode.Parse(raw) as JsonObject ?? [] : [];
        // The presigned upload carries its own signature: no Authorization header goes to the storage host.
        await http.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = MediaDelivery.Form(fields.Select(f => KeyValuePair.Create(f.Key, f.Value?.ToString() ?? "")), "file", bytes, $"init.{extension}"),
        }, CallKind.Create, context, cancellationToken);
        return imageId;
    }

    private static bool MatchesMedia(string ratio, MediaInput media) =>
        media is { Width: > 0, Height: > 0 } && AspectRatios.Value(ratio) is { } wanted &&
        Math.Abs(Math.Log(wanted * media.Height.Value / media.Width.Value)) < 0.03;

    private HttpRequestMessage Json(HttpMethod method, string path, JsonNode body)
    {
        var request = Request(method, path);
        request.Content = AdapterSupport.Json(body);
        return request;
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        AdapterSupport.Bearer(request, options.ApiKey);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public void Dispose() => http.Dispose();
}
