using System.Globalization;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Errors;
using CinematicSwitch.Providers.Planning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Replicate's predictions API with black-forest-labs/flux-dev: POST v1/models/{owner}/{name}/predictions
/// (with "Prefer: wait" and a "Cancel-After" deadline), GET v1/predictions/{id} (the prediction's urls.get),
/// POST v1/predictions/{id}/cancel, GET v1/predictions?created_after= to find a prediction whose create outcome is unknown,
/// and the files API (POST v1/files, DELETE v1/files/{id}) for inputs Replicate cannot fetch or that are too large to inline.
/// flux-dev's image-to-image keeps the input's proportions and ignores aspect_ratio, so a requested ratio is made by
/// centre-cropping the input to it first.
/// </summary>
internal sealed class ReplicateAdapter : IProviderAdapter, IDisposable
{
    public const string ClientName = "CinematicSwitch.Providers.Replicate";

    /// <summary>The files API's limit (https://replicate.com/docs/topics/predictions/input-files: "files up to 100MB").</summary>
    internal const long MaxFileBytes = 100L * 1024 * 1024;

    private static readonly string[] Ratios = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"];

    /// <summary>How much earlier than our intent Replicate's clock may have stamped the prediction.</summary>
    private static readonly TimeSpan ListingClockSkew = TimeSpan.FromSeconds(30);

    private readonly ReplicateOptions options;
    private readonly ProviderHttp http;
    private readonly MediaDelivery delivery;

    public ReplicateAdapter(IOptions<ProvidersOptions> options, IHttpClientFactory factory, MediaDelivery delivery, TimeProvider time, ILogger<ReplicateAdapter> logger)
    {
        this.options = options.Value.Replicate;
        this.delivery = delivery;
        http = new ProviderHttp(Provider.Replicate, ClientName, this.options, factory, time, logger)
        {
            MessageOf = ProblemDetail,
        };
    }

    public Provider Name => Provider.Replicate;

    public ProviderOptions Options => options;

    public bool CanFindJobs => true;

    public PlanDecision Plan(GenerationRequest request)
    {
        if (request.Task != TransformationTask.ImageTransform)
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
            ["go_fast"] = options.GoFast,
        };
        List<string> uploads = [];
        if (media is not null)
        {
            var (image, file) = await DeliverAsync(media, job.Ratio, context, cancellationToken);
            input["image"] = image;
            input["prompt_strength"] = options.PromptStrength;
            if (file is not null)
            {
                uploads.Add(file);
            }
        }
        else if (job.Ratio is not null)
        {
            // Only text-to-image honours aspect_ratio; with an image the output takes the image's proportions.
            input["aspect_ratio"] = job.Ratio;
        }

        var body = new JsonObject { ["input"] = input };
        if (options.Webhook.Enabled)
        {
            // Only the end: the webhook is a doorbell for a job's outcome, never read for progress.
            body["webhook"] = options.Webhook.Url;
            body["webhook_events_filter"] = new JsonArray("completed");
        }
        try
        {
            var answer = await http.SendAsync(() =>
            {
                var request = Request(HttpMethod.Post, $"v1/models/{options.Model}/predictions");
                request.Content = AdapterSupport.Json(body);
                if (options.PreferWaitSeconds > 0)
                {
                    request.Headers.Add("Prefer", $"wait={options.PreferWaitSeconds}");
                }

                // Replicate cancels the prediction itself at the job's deadline, so a job whose worker died still stops
                // (and one that never started is "aborted", not charged).
                request.Headers.Add("Cancel-After", $"{Math.Max(1, (int)Math.Ceiling(options.Timeout.TotalSeconds))}s");
                return request;
            }, CallKind.Create, context, cancellationToken);
            var prediction = http.ParseJson(answer, CallKind.Create);
            var id = ProviderHttp.Text(prediction, "id") ?? throw NoId(answer);
            return new JobCreated(id, null, Status(prediction), Uploads: uploads);
        }
        catch (ProviderException ex) when (!ex.Ambiguous && uploads.Count > 0)
        {
            // No prediction will read the file.
            await ReleaseAsync(uploads, context, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// The input as Replicate takes it: the URL when Replicate can fetch it; else the bytes, inline under
    /// <see cref="ReplicateOptions.MaxDataUriBytes"/> or uploaded through the files API (returning the file's id to delete).
    /// A requested ratio is made here by a centre crop, since flux-dev keeps the input image's proportions.
    /// </summary>
    private async Task<(string Image, string? FileId)> DeliverAsync(MediaInput media, string? ratio, JobContext context, CancellationToken cancellationToken)
    {
        if (ratio is null && MediaDelivery.Fetchable(media))
        {
            return (media.Url, null);
        }

        if (ratio is null && MediaDelivery.IsDataUri(media.Url) && MediaDelivery.SizeOf(media) <= options.MaxDataUriBytes)
        {
            return (media.Url, null);
        }

        MediaBytes bytes;
        try
        {
            bytes = await delivery.ReadAsync(media, MaxFileBytes, cancellationToken);
            if (ratio is not null)
            {
                bytes = await ImageCrop.ToRatioAsync(bytes, ratio, cancellationToken);
            }
        }
        catch (MediaUnavailableException ex)
        {
            throw new ProviderException(ProviderErrors.Get(ex.TooLarge ? "replicate.input-too-large" : ex.Refused ? "replicate.input-refused" : "replicate.input-unreadable")
                .ToFailure(new ErrorFacts(Message: ex.Message)), false, ex);
        }

        if (bytes.Bytes.LongLength <= options.MaxDataUriBytes)
        {
            return (bytes.DataUri, null);
        }

        var answer = await http.SendAsync(() => Authorized(new HttpRequestMessage(HttpMethod.Post, new Uri(options.BaseUri, "v1/files"))
        {
            Content = MediaDelivery.Form([], "content", bytes, $"input.{bytes.Extension}"),
        }), CallKind.Create, context, cancellationToken);
        var file = http.ParseJson(answer, CallKind.Manage);
        return ProviderHttp.Text(file?["urls"], "get") is { } url && ProviderHttp.Text(file, "id") is { } id
            ? (url, id)
            : throw new ProviderException(http.Unavailable("Replicate's file answer had no URL.", "missing urls.get"));
    }

    /// <summary>Deletes the input files of a prediction that has ended; a failure only leaves them to Replicate's own expiry.</summary>
    public async Task ReleaseAsync(IReadOnlyList<string> uploads, JobContext context, CancellationToken cancellationToken)
    {
        foreach (var id in uploads)
        {
            await http.SendAsync(() => Request(HttpMethod.Delete, $"v1/files/{Uri.EscapeDataString(id)}"), CallKind.Manage, context, cancellationToken);
        }
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

    /// <summary>The account's webhook signing secret (GET v1/webhooks/default/secret: {"key": "whsec_..."}).</summary>
    internal async Task<string> ReadWebhookSecretAsync(CancellationToken cancellationToken)
    {
        var context = new JobContext(Guid.Empty, DateTimeOffset.MaxValue);
        var answer = await http.SendAsync(() => Request(HttpMethod.Get, "v1/webhooks/default/secret"), CallKind.Manage, context, cancellationToken);
        return ProviderHttp.Text(http.ParseJson(answer, CallKind.Manage), "key")
            ?? throw new ProviderException(http.Unavailable("Replicate's webhook secret answer had no key.", "missing key"));
    }

    public decimal EstimateCredits(PlannedJob job, int outputs) => options.CreditRates.GetValueOrDefault(job.Model) * outputs;

    private bool IsFor(PlannedJob job, JsonObject prediction) =>
        ProviderHttp.Text(prediction, "model") == options.Model &&
        prediction["input"] is JsonObject input &&
        ProviderHttp.Text(input, "prompt") == job.Prompt &&
        input["seed"] is JsonValue seed && seed.TryGetValue<long>(out var value) && value == job.Seed;

    private static DateTimeOffset? CreatedAt(JsonObject prediction) =>
        DateTimeOffset.TryParse(ProviderHttp.Text(prediction, "created_at"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>
    /// A prediction's state. Outputs count only once it succeeded (a prediction "processing" may already list some), and
    /// only while Replicate still has them (data_removed an hour after creation).
    /// </summary>
    private JobStatus Status(JsonNode prediction)
    {
        var status = ProviderHttp.Text(prediction, "status");
        var removed = prediction["data_removed"] is JsonValue flag && flag.TryGetValue<bool>(out var gone) && gone;
        return status switch
        {
            "succeeded" when removed => new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(JobStatus: "data_removed"))),
            "succeeded" => new JobStatus(JobPhase.Succeeded, AdapterSupport.Urls(prediction["output"]), null),
            "failed" => new JobStatus(JobPhase.Failed, [], http.JobFailure(new ErrorFacts(null, ProviderHttp.Text(prediction, "error"), status))),
            "canceled" or "aborted" => new JobStatus(JobPhase.Canceled, [], http.JobFailure(new ErrorFacts(JobStatus: status))),
            _ => JobStatus.Running,
        };
    }

    private ProviderException NoId(HttpAnswer answer) =>
        new(http.Unavailable("Replicate's create answer had no prediction id.", "missing id") with { HttpStatus = (int)answer.Status }, ambiguous: true);

    private HttpRequestMessage Request(HttpMethod method, string path) => Authorized(new HttpRequestMessage(method, new Uri(options.BaseUri, path)));

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        AdapterSupport.Bearer(request, options.ApiKey);
        return request;
    }

    public void Dispose() => http.Dispose();

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
