using System.Globalization;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Replicate's predictions API with black-forest-labs/flux-dev: POST v1/models/{owner}/{name}/predictions
/// (with "Prefer: wait"), GET v1/predictions/{id} (the prediction's urls.get), POST v1/predictions/{id}/cancel,
/// and GET v1/predictions?created_after= to find a prediction whose create outcome is unknown.
/// </summary>
internal sealed class ReplicateAdapter : IProviderAdapter
{
    public const string ClientName = "CinematicSwitch.Providers.Replicate";

    private static readonly string[] Ratios = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"];

    /// <summary>How much earlier than our intent Replicate's clock may have stamped the prediction.</summary>
    private static readonly TimeSpan ListingClockSkew = TimeSpan.FromSeconds(30);

    private readonly ReplicateOptions options;
    private readonly ProviderHttp http;

    public ReplicateAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, TimeProvider time, ILogger<ReplicateAdapter> logger)
    {
        this.options = options.Value.Replicate;
        http = new ProviderHttp(ProviderName.Replicate, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProblemDetail,
        };
    }

    public ProviderName Name => ProviderName.Replicate;

    public ProviderOptions Options => options;

    public bool CanFindJobs => true;

    public PlanDecision Plan(GenerationRequest request)
    {
        if (request.Task != GenerationTask.ImageTransform)
        {
            return PlanDecision.Refuse($"Replicate ({options.Model}) only transforms images; {request.Task} needs a video provider.");
        }

        if (request.Media is null || request.Media.IsVideo)
        {
            return PlanDecision.Refuse("An image transformation needs an input image (JPG or PNG).");
        }

        if (!AspectRatios.IsOriginal(request.AspectRatio) && AspectRatios.Choose(request.AspectRatio, null, Ratios, null) is null)
        {
            return PlanDecision.Refuse($"Aspect ratio '{request.AspectRatio}' is not offered by {options.Model} (offered: original, {string.Join(", ", Ratios)}).");
        }

        var prompt = PromptBuilder.Build(request, options.MaxPromptLength, $"Replicate {options.Model}");
        if (prompt.Prompt is null)
        {
            return PlanDecision.Refuse(prompt.Refusal!);
        }

        var ratio = AspectRatios.IsOriginal(request.AspectRatio) ? null : request.AspectRatio.Trim();
        var jobs = new List<PlannedJob>();
        for (int first = 1, step = 0; first <= request.OutputCount; first += options.MaxOutputsPerPrediction, step++)
        {
            var count = Math.Min(options.MaxOutputsPerPrediction, request.OutputCount - first + 1);
            jobs.Add(new PlannedJob(step, options.Model, JobOperation.Prediction, prompt.Prompt, first, 0, count, ratio, null,
                AdapterSupport.SeedFor(request, first, int.MaxValue), false, null));
        }

        return new PlanDecision(new GenerationPlan(Name, options.Model, jobs, []), null);
    }

    public async Task<JobCreated> CreateAsync(PlannedJob job, MediaInput? media, JobContext context, CancellationToken cancellationToken)
    {
        var input = new JsonObject
        {
            ["prompt"] = job.Prompt,
            ["num_outputs"] = job.OutputCount,
            ["output_format"] = options.OutputFormat,
            ["seed"] = job.Seed,
        };
        if (media is not null)
        {
            input["image"] = media.Url;
            input["prompt_strength"] = options.PromptStrength;
        }

        if (job.Ratio is not null)
        {
            input["aspect_ratio"] = job.Ratio;
        }

        var body = new JsonObject { ["input"] = input };
        var answer = await http.SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"v1/models/{options.Model}/predictions");
            request.Content = AdapterSupport.Json(body);
            if (options.PreferWaitSeconds > 0)
            {
                request.Headers.Add("Prefer", $"wait={options.PreferWaitSeconds}");
            }

            return request;
        }, CallKind.Create, context, cancellationToken);
        var prediction = http.ParseJson(answer, CallKind.Create);
        var id = ProviderHttp.Text(prediction, "id") ?? throw NoId(answer);
        return new JobCreated(id, null, Status(prediction));
    }

    public async Task<JobStatus> GetAsync(PlannedJob job, string jobId, JobContext context, CancellationToken cancellationToken)
    {
        var answer = await http.SendAsync(() => Request(HttpMethod.Get, $"v1/predictions/{Uri.EscapeDataString(jobId)}"), CallKind.Manage, context, cancellationToken);
        return Status(http.ParseJson(answer, CallKind.Manage));
    }

    public Task CancelAsync(string jobId, JobContext context, CancellationToken cancellationToken) =>
        http.SendAsync(() => Request(HttpMethod.Post, $"v1/predictions/{Uri.EscapeDataString(jobId)}/cancel"), CallKind.Manage, context, cancellationToken);

    /// <summary>
    /// Pages through the account's predictions, newest first, until they are older than the intent (less a margin for clock
    /// skew): however many were created since, the one asked for is among them if it exists. The listing is filtered by
    /// created_after as well, so a busy account is read only as far back as needed.
    /// </summary>
    public async Task<JobCreated?> FindAsync(PlannedJob job, DateTimeOffset notBefore, JobContext context, CancellationToken cancellationToken)
    {
        var earliest = notBefore - ListingClockSkew;
        var after = earliest.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        Uri? next = new(options.BaseUri, $"v1/predictions?created_after={Uri.EscapeDataString(after)}");
        while (next is not null)
        {
            var url = next;
            var answer = await http.SendAsync(() => Authorized(new HttpRequestMessage(HttpMethod.Get, url)), CallKind.Manage, context, cancellationToken);
            var list = http.ParseJson(answer, CallKind.Manage);
            var page = (list["results"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var prediction in page)
            {
                if (IsFor(job, prediction) && ProviderHttp.Text(prediction, "id") is { } id)
                {
                    return new JobCreated(id, null, Status(prediction));
                }
            }

            var reachedIntent = page.Count == 0 || (CreatedAt(page[^1]) is { } oldest && oldest < earliest);
            // Only follow pages on the configured origin: the token must never be sent elsewhere.
            next = !reachedIntent && ProviderHttp.Text(list, "next") is { } link && Uri.TryCreate(link, UriKind.Absolute, out var linkUri) &&
                   linkUri.GetLeftPart(UriPartial.Authority) == options.BaseUri.GetLeftPart(UriPartial.Authority)
                ? linkUri
                : null;
        }

        return null;
    }

    public decimal EstimateCredits(PlannedJob job, int outputs) => options.CreditRates.GetValueOrDefault(job.Model) * outputs;

    private bool IsFor(PlannedJob job, JsonObject prediction) =>
        ProviderHttp.Text(prediction, "model") == options.Model &&
        prediction["input"] is JsonObject input &&
        ProviderHttp.Text(input, "prompt") == job.Prompt &&
        input["seed"] is JsonValue seed && seed.TryGetValue<long>(out var value) && value == job.Seed;

    private static DateTimeOffset? CreatedAt(JsonObject prediction) =>
        DateTimeOffset.TryParse(ProviderHttp.Text(prediction, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    private JobStatus Status(JsonNode prediction)
    {
        var status = ProviderHttp.Text(prediction, "status");
        return status switch
        {
            "succeeded" => new JobStatus(JobPhase.Succeeded, AdapterSupport.Urls(prediction["output"]), null),
            "failed" => new JobStatus(JobPhase.Failed, [], PredictionFailure(ProviderHttp.Text(prediction, "error"))),
            "canceled" or "aborted" => new JobStatus(JobPhase.Canceled, [], http.Failure(ProviderErrorCode.ProviderError,
                "The Replicate prediction was cancelled.", null, status)),
            _ => JobStatus.Running,
        };
    }

    private ProviderFailure PredictionFailure(string? error) => AdapterSupport.MentionsModeration(error)
        ? http.Failure(ProviderErrorCode.InputValidation, "Replicate's safety checker flagged the generated image.", null, error)
        : http.Failure(ProviderErrorCode.ProviderError, "Replicate API error: Image transformation failed.", null, error);

    private ProviderException NoId(HttpAnswer answer) => new(http.Failure(ProviderErrorCode.ProviderError,
        "Replicate's create answer had no prediction id.", (int)answer.Status, "missing id"), ambiguous: true);

    private HttpRequestMessage Request(HttpMethod method, string path) => Authorized(new HttpRequestMessage(method, new Uri(options.BaseUri, path)));

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        AdapterSupport.Bearer(request, options.ApiKey);
        return request;
    }

    /// <summary>Replicate errors are problem details: {"title": ..., "detail": ..., "status": ...}.</summary>
    private static string? ProblemDetail(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            return ProviderHttp.Text(node, "detail") ?? ProviderHttp.Text(node, "title");
        }
        catch (System.Text.Json.JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}
