using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Errors;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Runway's developer API: POST v1/image_to_video, v1/text_to_video, v1/text_to_image (a first frame for keyframed
/// text-to-video), v1/video_to_video, v1/uploads (ephemeral uploads); GET v1/tasks/{id} to poll and DELETE v1/tasks/{id} to
/// cancel; Authorization: Bearer and X-Runway-Version on every call. The API cannot list tasks, so a job whose create
/// outcome is unknown cannot be found again. Models come from <see cref="RunwayModelTable"/>, checked at startup.
/// </summary>
internal sealed class RunwayAdapter : IProviderAdapter, IDisposable
{
    public const string ClientName = "CinematicSwitch.Providers.Runway";
    private const int DefaultDurationSeconds = 5;

    // https://docs.dev.runwayml.com/assets/inputs: data URIs under 5 MB (1024 × 1024 × 5) for images and 16 MB for
    // video; URLs up to 16 MB (image) and 32 MB (video); ephemeral uploads (/assets/uploads) up to 200 MB.
    internal const long MaxImageDataUri = 5L * 1024 * 1024;
    internal const long MaxVideoDataUri = 16L * 1024 * 1024;
    internal const long MaxImageUrlBytes = 16L * 1024 * 1024;
    internal const long MaxVideoUrlBytes = 32L * 1024 * 1024;
    internal const long MaxUploadBytes = 200L * 1024 * 1024;

    private readonly RunwayOptions options;
    private readonly ProviderHttp http;
    private readonly MediaDelivery delivery;

    public RunwayAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, MediaDelivery delivery, TimeProvider time, ILogger<RunwayAdapter> logger)
    {
        this.options = options.Value.Runway;
        this.delivery = delivery;
        http = new ProviderHttp(Provider.Runway, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProviderHttp.ErrorMember,
        };
    }

    public Provider Name => Provider.Runway;

    public ProviderOptions Options => options;

    public bool CanFindJobs => false;

    private RunwayModelTable Models => options.Models;

    public PlanDecision Plan(GenerationRequest request)
    {
        var prompt = PromptBuilder.Build(request, options.MaxPromptLength, "Runway");
        return request.Task switch
        {
            TransformationTask.ImageTransform => PlanDecision.Refuse("Runway is used for video; image transformations go to the image provider."),
            _ when prompt.Prompt is null => PlanDecision.Refuse(prompt.Refusal!),
            TransformationTask.VideoToVideo => PlanVideoToVideo(request, prompt.Prompt),
            TransformationTask.ImageToVideo when request.Media is null || request.Media.IsVideo => PlanDecision.Refuse("Image-to-video needs an input image."),
            TransformationTask.TextToVideo when request.Media is not null => PlanDecision.Refuse("Text-to-video takes no media; use image-to-video to animate an image."),
            _ when TooLarge(request.Media) is { } refusal => PlanDecision.Refuse(refusal),
            _ => PlanClips(request, prompt.Prompt),
        };
    }

    private static string? TooLarge(MediaInput? media) =>
        media is not null && MediaDelivery.SizeOf(media) > MaxUploadBytes ? $"Runway accepts media up to {MaxUploadBytes / (1024 * 1024)} MB." : null;

    private PlanDecision PlanVideoToVideo(GenerationRequest request, string prompt)
    {
        var model = Models.VideoToVideo;
        if (request.Media is not { IsVideo: true })
        {
            return PlanDecision.Refuse("Video-to-video needs an input video.");
        }

        if (request.Video?.SeamlessLoop == true)
        {
            return PlanDecision.Refuse($"Runway's video-to-video ({model}) cannot make seamless loops.");
        }

        if (TooLarge(request.Media) is { } tooLarge)
        {
            return PlanDecision.Refuse(tooLarge);
        }

        // aleph2 keeps the input's proportions, or expands (outpaints) the video to a target ratio.
        var targets = RunwayModels.VideoToVideo[model];
        string? target = null;
        if (!AspectRatios.IsOriginal(request.AspectRatio))
        {
            target = AspectRatios.Choose(request.AspectRatio, null, targets, null);
            if (target is null)
            {
                return PlanDecision.Refuse($"Runway's video-to-video ({model}) keeps the input video's proportions or expands it to " +
                                           $"{string.Join(", ", targets)}; '{request.AspectRatio}' is not one of them.");
            }
        }

        var jobs = Enumerable.Range(1, request.OutputCount)
            .Select(v => new PlannedJob(v - 1, model, JobOperation.VideoToVideo, prompt, v, 0, 1, target, null,
                AdapterSupport.SeedFor(request, v, RunwayModels.MaxSeed), false, null))
            .ToList();
        return new PlanDecision(new GenerationPlan(Name, model, jobs, []), null);
    }

    private PlanDecision PlanClips(GenerationRequest request, string prompt)
    {
        var duration = request.Video?.DurationSeconds ?? DefaultDurationSeconds;
        var loop = request.Video?.SeamlessLoop ?? false;
        var text = request.Task == TransformationTask.TextToVideo;
        if (!loop)
        {
            // One clip: native text-to-video (one paid task), or an image animated by an image-to-video model.
            foreach (var model in (text ? Models.TextToVideo : Models.ImageToVideo).Select(m => RunwayModels.Video[m]))
            {
                var ratios = text ? model.TextRatios : model.ImageRatios;
                if (AspectRatios.Choose(request.AspectRatio, request.Media, ratios.Keys, "16:9") is { } ratio &&
                    Durations.Plan(duration, model.Durations, canChain: false, 1) is [var clip])
                {
                    var operation = text ? JobOperation.TextToVideo : JobOperation.ImageToVideo;
                    return Planned(model, Variations(request, null, (variation, seed, jobs) =>
                        jobs.Add(Clip(jobs.Count, model, operation, prompt, variation, 0, ratios[ratio], clip, seed, false, null))));
                }
            }
        }

        // Loops and videos longer than one clip: clips that start and end on the same keyframe (so they join without a cut).
        // Without an input image the keyframe is generated first, once for all variations.
        var frameRatios = RunwayModels.FirstFrame[Models.FirstFrame];
        foreach (var model in Models.Keyframes.Select(m => RunwayModels.Video[m]))
        {
            var ratio = AspectRatios.Choose(request.AspectRatio, request.Media, model.ImageRatios.Keys, "16:9");
            if (ratio is null || (text && !frameRatios.ContainsKey(ratio)) ||
                Durations.Plan(duration, model.Durations, canChain: true, options.MaxChainSegments) is not { } clips)
            {
                continue;
            }

            var frame = text ? FirstFrame(request, prompt, frameRatios[ratio]) : null;
            return Planned(model, Variations(request, frame, (variation, seed, jobs) =>
            {
                for (var segment = 0; segment < clips.Count; segment++)
                {
                    jobs.Add(Clip(jobs.Count, model, JobOperation.ImageToVideo, prompt, variation, segment, model.ImageRatios[ratio], clips[segment], seed,
                        true, frame?.Step));
                }
            }));
        }

        // A text-to-video ratio only image-to-video models have: a generated first frame, then one clip.
        if (text && !loop)
        {
            foreach (var model in Models.ImageToVideo.Select(m => RunwayModels.Video[m]))
            {
                if (AspectRatios.Choose(request.AspectRatio, null, model.ImageRatios.Keys, "16:9") is { } ratio && frameRatios.ContainsKey(ratio) &&
                    Durations.Plan(duration, model.Durations, canChain: false, 1) is [var clip])
                {
                    var frame = FirstFrame(request, prompt, frameRatios[ratio]);
                    return Planned(model, Variations(request, frame, (variation, seed, jobs) =>
                        jobs.Add(Clip(jobs.Count, model, JobOperation.ImageToVideo, prompt, variation, 0, model.ImageRatios[ratio], clip, seed, false, frame.Step))));
                }
            }
        }

        return PlanDecision.Refuse(Refusal(request, duration, loop));
    }

    private string Refusal(GenerationRequest request, int duration, bool loop)
    {
        var video = RunwayModels.Video;
        var single = (request.Task == TransformationTask.TextToVideo ? Models.TextToVideo : Models.ImageToVideo).Select(m => video[m]).ToList();
        var keyed = Models.Keyframes.Select(m => video[m]).ToList();
        var what = $"a {duration} s{(loop ? " seamless loop" : " video")} at aspect ratio '{request.AspectRatio}'";
        var singles = string.Join("; ", single.Select(m => $"{m.Name}: {string.Join(", ", m.ImageRatios.Keys)} up to {m.Durations.Max()} s without loops"));
        var keys = string.Join("; ", keyed.Select(m => $"{m.Name}: {string.Join(", ", m.ImageRatios.Keys)}, loops and chains up to " +
                                                          $"{m.Durations.Max() * options.MaxChainSegments} s"));
        return $"Runway cannot make {what}. {singles}. {keys}.";
    }

    private delegate void AddVariation(int variation, long? seed, List<PlannedJob> jobs);

    /// <summary>The first frame of a text-to-video request that needs one: step 0, variation 0 (shared by every variation).</summary>
    private PlannedJob FirstFrame(GenerationRequest request, string prompt, string ratio) =>
        new(0, Models.FirstFrame, JobOperation.TextToImage, prompt, 0, 0, 1, ratio, null, AdapterSupport.SeedFor(request, 1, RunwayModels.MaxSeed), false, null);

    private static List<PlannedJob> Variations(GenerationRequest request, PlannedJob? first, AddVariation add)
    {
        var jobs = first is null ? new List<PlannedJob>() : [first];
        for (var variation = 1; variation <= request.OutputCount; variation++)
        {
            add(variation, AdapterSupport.SeedFor(request, variation, RunwayModels.MaxSeed), jobs);
        }

        return jobs;
    }

    private static PlannedJob Clip(int step, RunwayVideoModel model, JobOperation operation, string prompt, int variation, int segment, string ratio,
        int seconds, long? seed, bool keyframes, int? frameStep) =>
        new(step, model.Name, operation, prompt, variation, segment, 1, ratio, seconds, model.TakesSeed ? seed : null, keyframes, frameStep);

    private PlanDecision Planned(RunwayVideoModel model, List<PlannedJob> jobs) => new(new GenerationPlan(Name, model.Name, jobs, []), null);

    public async Task<JobCreated> CreateAsync(PlannedJob job, MediaInput? media, JobContext context, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["model"] = job.Model, ["promptText"] = job.Prompt };
        string path;
        switch (job.Operation)
        {
            case JobOperation.TextToImage:
                path = "v1/text_to_image";
                body["ratio"] = job.Ratio;
                break;
            case JobOperation.VideoToVideo:
                path = "v1/video_to_video";
                body["videoUri"] = await DeliverAsync(media!, context, cancellationToken);
                if (job.Ratio is not null)
                {
                    body["targetAspectRatio"] = job.Ratio;
                }

                break;
            case JobOperation.TextToVideo:
                path = "v1/text_to_video";
                body["ratio"] = job.Ratio;
                body["duration"] = job.DurationSeconds;
                break;
            default:
                path = "v1/image_to_video";
                var image = await DeliverAsync(media!, context, cancellationToken);
                body["promptImage"] = job.LoopKeyframes ? new JsonArray(Keyframe(image, "first"), Keyframe(image, "last")) : JsonValue.Create(image);
                body["ratio"] = job.Ratio;
                body["duration"] = job.DurationSeconds;
                break;
        }

        if (job.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        if (RunwayModels.Video.TryGetValue(job.Model, out var model) && model.TakesAudio)
        {
            // The spec keeps audio out of scope, and audio raises Veo's price.
            body["audio"] = false;
        }

        var answer = await http.SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, path);
            request.Content = AdapterSupport.Json(body);
            return request;
        }, CallKind.Create, context, cancellationToken);
        var created = http.ParseJson(answer, CallKind.Create);
        var id = ProviderHttp.Text(created, "id") ?? throw new ProviderException(
            http.Unavailable("Runway's create answer had no task id.", "missing id") with { HttpStatus = (int)answer.Status }, ambiguous: true);
        return new JobCreated(id, null, null);
    }

    /// <summary>
    /// The media as Runway's input rules allow: the URL itself when Runway can fetch it and it is within the URL cap; else the
    /// bytes, as a data URI under its cap or through an ephemeral upload (runway:// URI).
    /// </summary>
    private async Task<string> DeliverAsync(MediaInput media, JobContext context, CancellationToken cancellationToken)
    {
        var size = MediaDelivery.SizeOf(media);
        var (urlCap, dataUriCap) = media.IsVideo ? (MaxVideoUrlBytes, MaxVideoDataUri) : (MaxImageUrlBytes, MaxImageDataUri);
        // A link of unknown size (another Runway task's output, say) is trusted to be within the cap; one over it fails as
        // runway.create.asset-rejected, which falls back.
        if (MediaDelivery.Fetchable(media) && (size is null || size <= urlCap))
        {
            return media.Url;
        }

        if (MediaDelivery.IsDataUri(media.Url) && media.Url.Length < dataUriCap)
        {
            return media.Url;
        }

        MediaBytes bytes;
        try
        {
            bytes = await delivery.ReadAsync(media, MaxUploadBytes, cancellationToken);
        }
        catch (MediaUnavailableException ex)
        {
            throw new ProviderException(ProviderErrors.Get(ex.TooLarge ? "runway.input-too-large" : ex.Refused ? "runway.input-refused" : "runway.input-unreadable")
                .ToFailure(new ErrorFacts(Message: ex.Message)), false, ex);
        }

        return bytes.DataUriLength < dataUriCap ? bytes.DataUri : await UploadAsync(bytes, context, cancellationToken);
    }

    /// <summary>POST v1/uploads (type ephemeral), then the presigned form upload of the file: the runway:// URI to use as input.</summary>
    private async Task<string> UploadAsync(MediaBytes media, JobContext context, CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, "v1/uploads");
            request.Content = AdapterSupport.Json(new JsonObject { ["filename"] = $"input.{media.Extension}", ["type"] = "ephemeral" });
            return request;
        }, CallKind.Create, context, cancellationToken);
        var started = http.ParseJson(answer, CallKind.Manage);
        if (ProviderHttp.Text(started, "runwayUri") is not { } uri || ProviderHttp.Text(started, "uploadUrl") is not { } url ||
            !Uri.TryCreate(url, UriKind.Absolute, out var target))
        {
            throw new ProviderException(http.Unavailable("Runway's upload answer had no upload target.", "missing runwayUri or uploadUrl"));
        }

        var fields = (started["fields"] as JsonObject ?? []).Select(f => KeyValuePair.Create(f.Key, f.Value?.ToString() ?? "")).ToList();
        // The presigned upload carries its own signature: no Authorization header goes to the storage host.
        await http.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, target) { Content = MediaDelivery.Form(fields, "file", media, $"input.{media.Extension}") },
            CallKind.Create, context, cancellationToken);
        return uri;
    }

    public async Task<JobStatus> GetAsync(PlannedJob job, string jobId, JobContext context, CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(() => Request(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);
        var task = http.ParseJson(answer, CallKind.Manage);
        var status = ProviderHttp.Text(task, "status");
        return status switch
        {
            "SUCCEEDED" => new JobStatus(JobPhase.Succeeded, AdapterSupport.Urls(task["output"]), null),
            "FAILED" => new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(null, ProviderHttp.Text(task, "failure"), status,
                ProviderHttp.Text(task, "failureCode")))),
            "CANCELLED" => new JobStatus(JobPhase.Canceled, [], http.JobFailure(new ErrorFacts(JobStatus: status))),
            // The account's concurrency is used up: the task waits in Runway's queue, not yet running.
            "THROTTLED" => JobStatus.Throttled,
            _ => JobStatus.Running,
        };
    }

    public Task CancelAsync(string jobId, JobContext context, CancellationToken cancellationToken) =>
        http.SendAsync(() => Request(HttpMethod.Delete, $"v1/tasks/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);

    /// <summary>Ephemeral uploads expire by themselves; Runway has no call to delete them.</summary>
    public Task ReleaseAsync(IReadOnlyList<string> uploads, JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<JobCreated?> FindAsync(PlannedJob job, DateTimeOffset notBefore, JobContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Runway's API has no task list.");

    public decimal EstimateCredits(PlannedJob job, int outputs) => job.Operation == JobOperation.TextToImage
        ? options.CreditRates.GetValueOrDefault(job.Model) * outputs
        : options.CreditRates.GetValueOrDefault(job.Model) * (job.DurationSeconds ?? DefaultDurationSeconds) * outputs;

    private static JsonObject Keyframe(string uri, string position) => new() { ["uri"] = uri, ["position"] = position };

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        AdapterSupport.Bearer(request, options.ApiKey);
        request.Headers.Add("X-Runway-Version", options.ApiVersion);
        return request;
    }

    public void Dispose() => http.Dispose();
}
