using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Runway's developer API: POST v1/image_to_video, v1/text_to_image (a first frame for text-to-video), v1/video_to_video;
/// GET v1/tasks/{id} to poll and DELETE v1/tasks/{id} to cancel; Authorization: Bearer and X-Runway-Version on every call.
/// The API cannot list tasks, so a job whose create outcome is unknown cannot be found again.
/// </summary>
internal sealed class RunwayAdapter : IProviderAdapter
{
    public const string ClientName = "CinematicSwitch.Providers.Runway";
    private const int DefaultDurationSeconds = 5;

    private readonly RunwayOptions options;
    private readonly ProviderHttp http;

    public RunwayAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, TimeProvider time, ILogger<RunwayAdapter> logger)
    {
        this.options = options.Value.Runway;
        http = new ProviderHttp(ProviderName.Runway, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProviderHttp.ErrorMember,
        };
    }

    public ProviderName Name => ProviderName.Runway;

    public ProviderOptions Options => options;

    public bool CanFindJobs => false;

    public PlanDecision Plan(GenerationRequest request)
    {
        var prompt = PromptBuilder.Build(request, options.MaxPromptLength, "Runway");
        return request.Task switch
        {
            GenerationTask.ImageTransform => PlanDecision.Refuse("Runway is used for video; image transformations go to the image provider."),
            _ when prompt.Prompt is null => PlanDecision.Refuse(prompt.Refusal!),
            GenerationTask.VideoToVideo => PlanVideoToVideo(request, prompt.Prompt),
            GenerationTask.ImageToVideo when request.Media is null || request.Media.IsVideo => PlanDecision.Refuse("Image-to-video needs an input image."),
            GenerationTask.TextToVideo when request.Media is not null => PlanDecision.Refuse("Text-to-video takes no media; use image-to-video to animate an image."),
            _ => PlanClips(request, prompt.Prompt),
        };
    }

    private PlanDecision PlanVideoToVideo(GenerationRequest request, string prompt)
    {
        if (request.Media is not { IsVideo: true })
        {
            return PlanDecision.Refuse("Video-to-video needs an input video.");
        }

        if (request.Video?.SeamlessLoop == true)
        {
            return PlanDecision.Refuse($"Runway's video-to-video ({options.VideoToVideoModel}) cannot make seamless loops.");
        }

        if (!AspectRatios.IsOriginal(request.AspectRatio))
        {
            return PlanDecision.Refuse($"Runway's video-to-video ({options.VideoToVideoModel}) keeps the input video's aspect ratio; ask for 'original'.");
        }

        var jobs = Enumerable.Range(1, request.OutputCount)
            .Select(v => new PlannedJob(v - 1, options.VideoToVideoModel, JobOperation.VideoToVideo, prompt, v, 0, 1, null, null,
                AdapterSupport.SeedFor(request, v, RunwayModels.MaxSeed), false, null))
            .ToList();
        return new PlanDecision(new GenerationPlan(Name, options.VideoToVideoModel, jobs, []), null);
    }

    private PlanDecision PlanClips(GenerationRequest request, string prompt)
    {
        var duration = request.Video?.DurationSeconds ?? DefaultDurationSeconds;
        var loop = request.Video?.SeamlessLoop ?? false;
        foreach (var model in options.VideoModels.Select(m => RunwayModels.ImageToVideo[m]))
        {
            var ratioKey = AspectRatios.Choose(request.AspectRatio, request.Media, model.Ratios.Keys, model.DefaultRatio);
            if (ratioKey is null || (loop && !model.LastFrame))
            {
                continue;
            }

            // Chained clips all start and end on the same keyframe, so they join without a cut: only with last-frame models.
            var clips = Durations.Plan(duration, model.Durations, model.LastFrame, options.MaxChainSegments);
            if (clips is null)
            {
                continue;
            }

            return new PlanDecision(new GenerationPlan(Name, model.Name, Jobs(request, prompt, model, ratioKey, clips, loop), []), null);
        }

        return PlanDecision.Refuse(
            $"Runway ({string.Join(", ", options.VideoModels)}) cannot make a {duration} s{(loop ? " seamless loop" : "")} video at aspect ratio '{request.AspectRatio}': " +
            "loops and videos longer than 10 s need gen3a_turbo (16:9 or 9:16); 1:1, 4:3, 3:4 and 21:9 are offered by gen4_turbo up to 10 s without loops.");
    }

    private List<PlannedJob> Jobs(GenerationRequest request, string prompt, RunwayVideoModel model, string ratioKey, IReadOnlyList<int> clips, bool loop)
    {
        var jobs = new List<PlannedJob>();
        int? firstFrameStep = null;
        if (request.Task == GenerationTask.TextToVideo)
        {
            firstFrameStep = 0;
            jobs.Add(new PlannedJob(0, options.FirstFrameModel, JobOperation.TextToImage, prompt, 0, 0, 1,
                RunwayModels.FirstFrameRatios.GetValueOrDefault(ratioKey, "1280:720"), null, AdapterSupport.SeedFor(request, 1, RunwayModels.MaxSeed), false, null));
        }

        for (var variation = 1; variation <= request.OutputCount; variation++)
        {
            var seed = AdapterSupport.SeedFor(request, variation, RunwayModels.MaxSeed);
            for (var segment = 0; segment < clips.Count; segment++)
            {
                jobs.Add(new PlannedJob(jobs.Count, model.Name, JobOperation.ImageToVideo, prompt, variation, segment, 1, model.Ratios[ratioKey],
                    clips[segment], seed, loop || clips.Count > 1, firstFrameStep));
            }
        }

        return jobs;
    }

    public async Task<JobCreated> CreateAsync(PlannedJob job, MediaInput? media, JobContext context, CancellationToken cancellationToken)
    {
        var (path, body) = job.Operation switch
        {
            JobOperation.TextToImage => ("v1/text_to_image", new JsonObject
            {
                ["model"] = job.Model, ["promptText"] = job.Prompt, ["ratio"] = job.Ratio, ["seed"] = job.Seed,
            }),
            JobOperation.VideoToVideo => ("v1/video_to_video", new JsonObject
            {
                ["model"] = job.Model, ["videoUri"] = media?.Url, ["promptText"] = job.Prompt, ["seed"] = job.Seed,
            }),
            _ => ("v1/image_to_video", new JsonObject
            {
                ["model"] = job.Model,
                ["promptImage"] = job.LoopKeyframes
                    ? new JsonArray(Keyframe(media!.Url, "first"), Keyframe(media.Url, "last"))
                    : JsonValue.Create(media?.Url),
                ["promptText"] = job.Prompt,
                ["ratio"] = job.Ratio,
                ["duration"] = job.DurationSeconds,
                ["seed"] = job.Seed,
            }),
        };
        var answer = await http.SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, path);
            request.Content = AdapterSupport.Json(body);
            return request;
        }, CallKind.Create, context, cancellationToken);
        var created = http.ParseJson(answer, CallKind.Create);
        var id = ProviderHttp.Text(created, "id") ?? throw new ProviderException(
            Failure(ProviderErrorCode.ProviderError, "Runway's create answer had no task id.", (int)answer.Status, "missing id"), ambiguous: true);
        return new JobCreated(id, null, null);
    }

    public async Task<JobStatus> GetAsync(PlannedJob job, string jobId, JobContext context, CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(() => Request(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);
        var task = http.ParseJson(answer, CallKind.Manage);
        return ProviderHttp.Text(task, "status") switch
        {
            "SUCCEEDED" => new JobStatus(JobPhase.Succeeded, AdapterSupport.Urls(task["output"]), null),
            "FAILED" => new JobStatus(JobPhase.Failed, [], TaskFailure(ProviderHttp.Text(task, "failureCode"), ProviderHttp.Text(task, "failure"))),
            "CANCELLED" => new JobStatus(JobPhase.Canceled, [], Failure(ProviderErrorCode.ProviderError, "The Runway task was cancelled.", null, "CANCELLED")),
            _ => JobStatus.Running,
        };
    }

    public Task CancelAsync(string jobId, JobContext context, CancellationToken cancellationToken) =>
        http.SendAsync(() => Request(HttpMethod.Delete, $"v1/tasks/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);

    public Task<JobCreated?> FindAsync(PlannedJob job, DateTimeOffset notBefore, JobContext context, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Runway's API has no task list.");

    public decimal EstimateCredits(PlannedJob job, int outputs) => job.Operation == JobOperation.TextToImage
        ? options.CreditRates.GetValueOrDefault(job.Model) * outputs
        : options.CreditRates.GetValueOrDefault(job.Model) * (job.DurationSeconds ?? DefaultDurationSeconds) * outputs;

    /// <summary>Runway's failureCode: SAFETY.* is content moderation; ASSET.* and INPUT_PREPROCESSING.* (non-safety) are bad inputs.</summary>
    private ProviderFailure TaskFailure(string? code, string? message)
    {
        var (errorCode, text) = code switch
        {
            not null when code.StartsWith("SAFETY", StringComparison.Ordinal) || code.Contains(".SAFETY", StringComparison.Ordinal) =>
                (ProviderErrorCode.InputValidation, "Runway's content moderation rejected the generation."),
            not null when code.StartsWith("ASSET", StringComparison.Ordinal) || code.StartsWith("INPUT_PREPROCESSING", StringComparison.Ordinal) =>
                (ProviderErrorCode.InvalidInput, "Runway could not use the input media."),
            _ => (ProviderErrorCode.ProviderError, "Runway API error: video generation failed."),
        };
        return Failure(errorCode, text, null, message, ("failureCode", code));
    }

    private ProviderFailure Failure(ProviderErrorCode code, string text, int? status, string? original, params (string Key, string? Value)[] more) =>
        http.Failure(code, text, status, original, more);

    private static JsonObject Keyframe(string uri, string position) => new() { ["uri"] = uri, ["position"] = position };

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        AdapterSupport.Bearer(request, options.ApiKey);
        request.Headers.Add("X-Runway-Version", options.ApiVersion);
        return request;
    }
}
