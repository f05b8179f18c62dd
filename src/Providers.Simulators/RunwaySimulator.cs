using System.Globalization;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Providers.Simulators;

/// <summary>
/// Runway's developer API: POST /v1/image_to_video, /v1/text_to_image, /v1/video_to_video answer {"id"}; GET /v1/tasks/{id}
/// reports PENDING, RUNNING (with progress), SUCCEEDED (output URLs), FAILED (failure, failureCode) or CANCELLED;
/// DELETE /v1/tasks/{id} cancels a running task or deletes a finished one (204). Every call needs
/// Authorization: Bearer and X-Runway-Version: 2024-11-06. Errors are {"error": "..."}.
/// </summary>
public sealed class RunwaySimulator(string apiKey, TimeSpan latency, MediaStore media) : ProviderSimulator(apiKey, latency, media)
{
    public const string ApiVersion = "2024-11-06";

    private sealed record VideoModel(string[] Ratios, int[] Durations, bool LastFrame);

    private static readonly Dictionary<string, VideoModel> ImageToVideoModels = new()
    {
        ["gen3a_turbo"] = new(["1280:768", "768:1280"], [5, 10], true),
        ["gen4_turbo"] = new(["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"], [2, 3, 4, 5, 6, 7, 8, 9, 10], false),
    };

    private static readonly string[] ImageRatios =
        ["1024:1024", "1080:1080", "1168:880", "1360:768", "1440:1080", "1080:1440", "1808:768", "1920:1080", "1080:1920", "2112:912", "1280:720", "720:1280", "720:720", "960:720", "720:960", "1680:720"];

    private static readonly string[] ImageModels = ["gen4_image", "gen4_image_turbo"];
    private const int MaxPromptLength = 1000;

    public override string Provider => "runway";

    protected override IResult Unauthorized() => Error(401, "Invalid API key. Provide a valid key in the Authorization header as 'Bearer <key>'.");

    protected override void MapApi(WebApplication app)
    {
        app.MapPost("/v1/image_to_video", (HttpRequest request) => CreateAsync(request, "image_to_video", ValidateImageToVideo));
        app.MapPost("/v1/text_to_image", (HttpRequest request) => CreateAsync(request, "text_to_image", ValidateTextToImage));
        app.MapPost("/v1/video_to_video", (HttpRequest request) => CreateAsync(request, "video_to_video", ValidateVideoToVideo));
        app.MapGet("/v1/tasks/{id}", (string id, HttpRequest request) => VersionError(request) ?? GetTask(id));
        app.MapDelete("/v1/tasks/{id}", (string id, HttpRequest request) =>
        {
            if (VersionError(request) is { } versionError)
            {
                return versionError;
            }

            var job = Ledger.Find(id);
            if (job is null)
            {
                return Error(404, "Task not found.");
            }

            if (!job.TryCancel(Time.GetUtcNow()))
            {
                Ledger.Forget(id);
            }

            return Results.NoContent();
        });
    }

    private sealed record Accepted(string Model, string Prompt, string? Ratio, int Seconds, string? MediaUri, bool IsImage);

    private async Task<IResult> CreateAsync(HttpRequest request, string operation, Func<JsonObject, (Accepted? Ok, IResult? Error)> validate)
    {
        if (VersionError(request) is { } versionError)
        {
            return versionError;
        }

        var body = await ReadObjectAsync(request);
        if (body is null)
        {
            return Error(400, "Request body must be a JSON object.");
        }

        var (accepted, invalid) = validate(body);
        if (accepted is null)
        {
            return invalid!;
        }

        var fault = Faults.Next(FaultTarget.Create, accepted.Prompt);
        switch (fault?.Kind)
        {
            case FaultKind.ServerError:
                return Error(500, "An unexpected error occurred.");
            case FaultKind.Unavailable:
                return Error(503, "Runway is temporarily shedding load. Please retry.");
            case FaultKind.RateLimited:
                return WithRetryAfter(Error(429, "You have exceeded the rate limit. Please retry later."), fault.Value.RetryAfterSeconds);
            case FaultKind.InsufficientCredits:
                return Error(400, "You do not have enough credits to run this task.");
        }

        var job = Create(operation, accepted, body, fault?.Kind);
        return fault?.Kind == FaultKind.MalformedJson ? Malformed() : JsonResult(new JsonObject { ["id"] = job.Id });
    }

    private SimJob Create(string operation, Accepted accepted, JsonObject body, FaultKind? fault)
    {
        var now = Time.GetUtcNow();
        var id = Guid.NewGuid().ToString();
        var ratio = MediaStore.Ratio(accepted.Ratio) ?? 16.0 / 9;
        string output;
        if (accepted.IsImage)
        {
            var (w, h) = MediaStore.ImageSize(ratio);
            output = MediaUrl(MediaStore.ImagePath(w, h, "png", id));
            Prepare(() => Media.ImageAsync(w, h, "png"));
        }
        else
        {
            var (w, h) = MediaStore.VideoSize(ratio);
            output = MediaUrl(MediaStore.VideoPath(w, h, accepted.Seconds, id));
            Prepare(() => Media.VideoAsync(w, h, accepted.Seconds));
        }

        var job = new SimJob
        {
            Id = id,
            Model = accepted.Model,
            Operation = operation,
            Prompt = accepted.Prompt,
            InputBytes = InputSize(accepted.MediaUri),
            Seed = Number(body, "seed"),
            CreatedAt = now,
            CompletesAt = fault == FaultKind.NeverFinish ? null : now + Latency,
            Fault = fault,
            Input = body,
            Outputs = [output],
        };
        Ledger.Add(job);
        return job;
    }

    private IResult GetTask(string id)
    {
        var job = Ledger.Find(id);
        if (job is null)
        {
            return Error(404, "Task not found.");
        }

        switch (Faults.Next(FaultTarget.Poll, job.Prompt))
        {
            case { Kind: FaultKind.ServerError }:
                return Error(500, "An unexpected error occurred.");
            case { Kind: FaultKind.Unavailable }:
                return Error(503, "Runway is temporarily shedding load. Please retry.");
            case { Kind: FaultKind.RateLimited } f:
                return WithRetryAfter(Error(429, "You have exceeded the rate limit. Please retry later."), f.RetryAfterSeconds);
            case { Kind: FaultKind.MalformedJson }:
                return Malformed();
        }

        var now = Time.GetUtcNow();
        var phase = job.PhaseAt(now);
        var task = new JsonObject
        {
            ["id"] = job.Id,
            ["status"] = phase switch
            {
                SimJobPhase.Pending => "PENDING",
                SimJobPhase.Running => "RUNNING",
                SimJobPhase.Succeeded => "SUCCEEDED",
                SimJobPhase.Failed => "FAILED",
                _ => "CANCELLED",
            },
            ["createdAt"] = job.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
        switch (phase)
        {
            case SimJobPhase.Running:
                task["progress"] = Math.Round(job.Progress(now), 2);
                break;
            case SimJobPhase.Succeeded:
                task["output"] = new JsonArray(job.Outputs.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray());
                break;
            case SimJobPhase.Failed when job.Fault == FaultKind.ContentPolicy:
                task["failure"] = "The input text was rejected by content moderation.";
                task["failureCode"] = "SAFETY.INPUT.TEXT";
                break;
            case SimJobPhase.Failed:
                task["failure"] = "An unexpected error occurred while generating.";
                task["failureCode"] = "INTERNAL.BAD_OUTPUT.CODE01";
                break;
        }

        return JsonResult(task);
    }

    private (Accepted?, IResult?) ValidateImageToVideo(JsonObject body)
    {
        var model = Text(body, "model");
        if (model is null || !ImageToVideoModels.TryGetValue(model, out var spec))
        {
            return Invalid("model", $"Invalid enum value. Expected {string.Join(" | ", ImageToVideoModels.Keys.Select(k => $"'{k}'"))}");
        }

        string? image;
        switch (body["promptImage"])
        {
            case JsonValue value when value.TryGetValue<string>(out var uri):
                image = uri;
                break;
            case JsonArray frames when frames.Count is 1 or 2 && frames.All(f => Text(f, "uri") is not null && Text(f, "position") is "first" or "last"):
                var positions = frames.Select(f => Text(f, "position")).ToList();
                if (positions.Distinct().Count() != positions.Count || (positions.Contains("last") && !spec.LastFrame))
                {
                    return Invalid("promptImage", spec.LastFrame ? "Each position may appear once." : $"{model} only supports a 'first' keyframe.");
                }

                image = Text(frames[0], "uri");
                break;
            default:
                return Invalid("promptImage", "Expected a HTTPS URL, a data URI, or an array of {uri, position}.");
        }

        if (!IsUri(image))
        {
            return Invalid("promptImage", "Invalid url.");
        }

        var prompt = Text(body, "promptText") ?? "";
        if (prompt.Length > MaxPromptLength)
        {
            return Invalid("promptText", $"String must contain at most {MaxPromptLength} character(s)");
        }

        var ratio = Text(body, "ratio");
        if (ratio is null || !spec.Ratios.Contains(ratio))
        {
            return Invalid("ratio", $"Invalid enum value. Expected {string.Join(" | ", spec.Ratios.Select(r => $"'{r}'"))}");
        }

        var duration = (int)(Number(body, "duration") ?? 10);
        if (!spec.Durations.Contains(duration))
        {
            return Invalid("duration", $"Invalid duration for {model}: {duration}.");
        }

        return SeedError(body) ?? (new Accepted(model, prompt, ratio, duration, image, false), null);
    }

    private (Accepted?, IResult?) ValidateTextToImage(JsonObject body)
    {
        var model = Text(body, "model");
        if (model is null || !ImageModels.Contains(model))
        {
            return Invalid("model", "Invalid enum value. Expected 'gen4_image' | 'gen4_image_turbo'");
        }

        var prompt = Text(body, "promptText");
        if (string.IsNullOrEmpty(prompt) || prompt.Length > MaxPromptLength)
        {
            return Invalid("promptText", $"Expected a non-empty string of at most {MaxPromptLength} characters.");
        }

        var ratio = Text(body, "ratio");
        if (ratio is null || !ImageRatios.Contains(ratio))
        {
            return Invalid("ratio", "Invalid enum value.");
        }

        if (model == "gen4_image_turbo" && body["referenceImages"] is not JsonArray { Count: > 0 })
        {
            return Invalid("referenceImages", "gen4_image_turbo requires at least one reference image.");
        }

        return SeedError(body) ?? (new Accepted(model, prompt, ratio, 0, null, true), null);
    }

    private (Accepted?, IResult?) ValidateVideoToVideo(JsonObject body)
    {
        if (Text(body, "model") != "gen4_aleph")
        {
            return Invalid("model", "Invalid enum value. Expected 'gen4_aleph'");
        }

        var video = Text(body, "videoUri");
        if (!IsUri(video))
        {
            return Invalid("videoUri", "Invalid url.");
        }

        var prompt = Text(body, "promptText");
        if (string.IsNullOrEmpty(prompt) || prompt.Length > MaxPromptLength)
        {
            return Invalid("promptText", $"Expected a non-empty string of at most {MaxPromptLength} characters.");
        }

        return SeedError(body) ?? (new Accepted("gen4_aleph", prompt, Text(body, "ratio") ?? "1280:720", 5, video, false), null);
    }

    private static (Accepted?, IResult?)? SeedError(JsonObject body) =>
        body["seed"] is null || Number(body, "seed") is >= 0 and <= 4_294_967_295L ? null : Invalid("seed", "Number must be between 0 and 4294967295");

    private static bool IsUri(string? uri) =>
        uri is not null && (uri.StartsWith("https://", StringComparison.Ordinal) || uri.StartsWith("http://", StringComparison.Ordinal) ||
                            uri.StartsWith("data:", StringComparison.Ordinal));

    private static IResult? VersionError(HttpRequest request) =>
        request.Headers["X-Runway-Version"].ToString() == ApiVersion
            ? null
            : Error(400, $"The X-Runway-Version header is missing or not a supported version. Set it to {ApiVersion}.");

    private static (Accepted?, IResult?) Invalid(string field, string message) =>
        (null, JsonResult(new JsonObject
        {
            ["error"] = "Validation of body failed",
            ["issues"] = new JsonArray(new JsonObject { ["path"] = new JsonArray(field), ["message"] = message }),
        }, StatusCodes.Status400BadRequest));

    private static IResult Error(int status, string message) => JsonResult(new JsonObject { ["error"] = message }, status);
}
