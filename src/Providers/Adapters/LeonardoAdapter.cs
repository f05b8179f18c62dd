using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Leonardo.Ai's REST API (v1): the input image goes up through POST v1/init-image and its presigned form upload,
/// then POST v1/generations-image-to-video or v1/generations-text-to-video (Motion 2.0) creates the generation;
/// GET v1/generations/{id} polls it, DELETE v1/generations/{id} discards it (the API has no cancel), and
/// GET v1/me + v1/generations/user/{userId} find a generation whose create outcome is unknown.
/// Motion 2.0 makes 5-second clips with a first frame only: no loops, no chaining.
/// </summary>
internal sealed class LeonardoAdapter : IProviderAdapter
{
    public const string ClientName = "CinematicSwitch.Providers.Leonardo";
    public const string MediaClientName = "CinematicSwitch.Providers.Media";
    private const int ClipSeconds = 5;
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
    private readonly IHttpClientFactory factory;

    public LeonardoAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, TimeProvider time, ILogger<LeonardoAdapter> logger)
    {
        this.options = options.Value.Leonardo;
        this.factory = factory;
        http = new ProviderHttp(ProviderName.Leonardo, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProviderHttp.ErrorMember,
        };
    }

    public ProviderName Name => ProviderName.Leonardo;

    public ProviderOptions Options => options;

    public bool CanFindJobs => true;

    public PlanDecision Plan(GenerationRequest request)
    {
        if (request.Task is not (GenerationTask.ImageToVideo or GenerationTask.TextToVideo))
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
        if (request.Task == GenerationTask.ImageToVideo)
        {
            if (request.Media is null || request.Media.IsVideo)
            {
                return PlanDecision.Refuse("Image-to-video needs an input image.");
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

        var operation = request.Task == GenerationTask.ImageToVideo ? JobOperation.ImageToVideo : JobOperation.TextToVideo;
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
        if (job.Operation == JobOperation.ImageToVideo)
        {
            var imageId = await UploadInitImageAsync(media!, context, cancellationToken);
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
        var answer = await http.SendAsync(() => Json(HttpMethod.Post, path, body), CallKind.Create, context, cancellationToken);
        var created = http.ParseJson(answer, CallKind.Create)["motionVideoGenerationJob"];
        var id = ProviderHttp.Text(created, "generationId") ?? throw new ProviderException(
            Failure(ProviderErrorCode.ProviderError, "Leonardo's create answer had no generation id.", (int)answer.Status, "missing generationId"), ambiguous: true);
        decimal? cost = created?["apiCreditCost"] is JsonValue value && value.TryGetValue<decimal>(out var credits) ? credits : null;
        return new JobCreated(id, cost, null);
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

        var answer = await http.SendAsync(() => Request(HttpMethod.Get, $"v1/generations/user/{Uri.EscapeDataString(userId)}?offset=0&limit=50"),
            CallKind.Manage, context, cancellationToken);
        var earliest = notBefore.AddSeconds(-30);
        var match = (http.ParseJson(answer, CallKind.Manage)["generations"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(g =>
            ProviderHttp.Text(g, "prompt") == job.Prompt &&
            g["seed"] is JsonValue seed && seed.TryGetValue<long>(out var value) && value == job.Seed &&
            DateTimeOffset.TryParse(ProviderHttp.Text(g, "createdAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created) &&
            created >= earliest);
        return match is not null && ProviderHttp.Text(match, "id") is { } id ? new JobCreated(id, null, Status(match)) : null;
    }

    public decimal EstimateCredits(PlannedJob job, int outputs) =>
        options.CreditRates.GetValueOrDefault(job.Model) * (job.DurationSeconds ?? ClipSeconds) * outputs;

    private JobStatus Status(JsonNode? generation)
    {
        switch (ProviderHttp.Text(generation, "status"))
        {
            case null when generation is null:
                return new JobStatus(JobPhase.Failed, [], Failure(ProviderErrorCode.ProviderError, "Leonardo does not know the generation (deleted?).", null,
                    "generations_by_pk is null"));
            case "COMPLETE":
                var images = (generation!["generated_images"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                var clean = images.Where(i => i["nsfw"] is not JsonValue flag || !flag.TryGetValue<bool>(out var nsfw) || !nsfw)
                    .Select(i => ProviderHttp.Text(i, "motionMP4URL") ?? ProviderHttp.Text(i, "url")).OfType<string>().ToList();
                return clean.Count > 0 || images.Count == 0
                    ? new JobStatus(JobPhase.Succeeded, clean, null)
                    : new JobStatus(JobPhase.Failed, [], Failure(ProviderErrorCode.InputValidation, "Leonardo flagged the generated video as NSFW.", null, "nsfw output"));
            case "FAILED":
                return new JobStatus(JobPhase.Failed, [], Failure(ProviderErrorCode.ProviderError, "Leonardo API error: video generation failed.", null, "FAILED"));
            default:
                return JobStatus.Running;
        }
    }

    /// <summary>POST v1/init-image, then the presigned form upload (to S3 in production): returns the init image id.</summary>
    private async Task<string> UploadInitImageAsync(MediaInput media, JobContext context, CancellationToken cancellationToken)
    {
        var (bytes, extension) = await ReadMediaAsync(media, cancellationToken);
        var answer = await http.SendAsync(() => Json(HttpMethod.Post, "v1/init-image", new JsonObject { ["extension"] = extension }),
            CallKind.Create, context, cancellationToken);
        var upload = http.ParseJson(answer, CallKind.Manage)["uploadInitImage"];
        var imageId = ProviderHttp.Text(upload, "id");
        if (imageId is null || ProviderHttp.Text(upload, "url") is not { } url || !Uri.TryCreate(url, UriKind.Absolute, out var target))
        {
            throw new ProviderException(Failure(ProviderErrorCode.ProviderError, "Leonardo's init-image answer had no upload target.", (int)answer.Status, "missing id or url"));
        }

        var fields = ProviderHttp.Text(upload, "fields") is { } raw ? JsonNode.Parse(raw) as JsonObject ?? [] : [];
        await http.SendAsync(() =>
        {
            // The presigned upload carries its own signature: no Authorization header goes to the storage host.
            var form = new MultipartFormDataContent();
            foreach (var (name, value) in fields)
            {
                form.Add(new StringContent(value?.ToString() ?? ""), name);
            }

            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(media.ContentType);
            form.Add(file, "file", $"init.{extension}");
            return new HttpRequestMessage(HttpMethod.Post, target) { Content = form };
        }, CallKind.Manage, context, cancellationToken);
        return imageId;
    }

    private async Task<(byte[] Bytes, string Extension)> ReadMediaAsync(MediaInput media, CancellationToken cancellationToken)
    {
        var extension = media.ContentType.ToLowerInvariant() switch
        {
            "image/png" => "png",
            "image/webp" => "webp",
            _ => "jpg",
        };
        byte[] bytes;
        if (media.Url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = media.Url.IndexOf(',', StringComparison.Ordinal);
            bytes = comma > 0 && media.Url[..comma].EndsWith(";base64", StringComparison.OrdinalIgnoreCase)
                ? Convert.FromBase64String(media.Url[(comma + 1)..])
                : throw new ProviderException(Failure(ProviderErrorCode.InvalidInput, "The input image data URI is not base64.", null, null));
        }
        else
        {
            try
            {
                using var response = await factory.CreateClient(MediaClientName).GetAsync(new Uri(media.Url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode || response.Content.Headers.ContentLength > options.MaxInitImageBytes)
                {
                    throw new ProviderException(Failure(ProviderErrorCode.InvalidInput, "The input image could not be downloaded for upload to Leonardo.",
                        (int)response.StatusCode, "input image download failed"));
                }

                bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                throw new ProviderException(Failure(ProviderErrorCode.ProviderError, "The input image could not be downloaded for upload to Leonardo.", null,
                    ex.HttpRequestError.ToString()), false, ex);
            }
        }

        return bytes.LongLength <= options.MaxInitImageBytes
            ? (bytes, extension)
            : throw new ProviderException(Failure(ProviderErrorCode.InvalidInput, "The input image is too large for Leonardo.", null, null));
    }

    private static bool MatchesMedia(string ratio, MediaInput media) =>
        media is { Width: > 0, Height: > 0 } && AspectRatios.Value(ratio) is { } wanted &&
        Math.Abs(Math.Log(wanted * media.Height.Value / media.Width.Value)) < 0.03;

    private ProviderFailure Failure(ProviderErrorCode code, string text, int? status, string? original) => http.Failure(code, text, status, original);

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
}
