using System.Globalization;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Providers.Simulators;

/// <summary>
/// Runway's developer API as its official SDKs declare it (runwayml/sdk-node, runwayml/sdk-python): POST /v1/image_to_video,
/// /v1/text_to_video, /v1/text_to_image and /v1/video_to_video answer {"id"}; POST /v1/uploads starts an ephemeral upload
/// ({uploadUrl, fields, runwayUri}) whose form POST goes to this simulator's /_storage/runway; GET /v1/tasks/{id} reports
/// THROTTLED, PENDING, RUNNING (with progress), SUCCEEDED (output URLs), FAILED (failure, failureCode) or CANCELLED;
/// DELETE /v1/tasks/{id} cancels a running task or deletes a finished one (204). Every call needs Authorization: Bearer and
/// X-Runway-Version: 2024-11-06. Errors are {"error": "..."}. Media follows https://docs.dev.runwayml.com/assets/inputs:
/// https URLs on a domain name, data URIs under 5 MB (images) or 16 MB (videos), runway:// uploads up to 200 MB.
/// </summary>
public sealed class RunwaySimulator(string apiKey, TimeSpan latency, MediaStore media, bool acceptLoopbackOrigins)
    : ProviderSimulator(apiKey, latency, media, acceptLoopbackOrigins)
{
    public const string ApiVersion = "2024-11-06";

    private sealed record VideoModel(string[] ImageRatios, string[] TextRatios, int[] Durations, bool LastFrame, bool Seed);

    private static readonly string[] Gen4Ratios = ["1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"];
    private static readonly string[] VeoRatios = ["1280:720", "720:1280", "1080:1920", "1920:1080"];

    private static readonly Dictionary<string, VideoModel> VideoModels = new()
    {
        ["gen4.5"] = new(Gen4Ratios, ["1280:720", "720:1280"], [2, 3, 4, 5, 6, 7, 8, 9, 10], false, true),
        ["gen4_turbo"] = new(Gen4Ratios, [], [2, 3, 4, 5, 6, 7, 8, 9, 10], false, true),
        ["veo3.1"] = new(VeoRatios, VeoRatios, [4, 6, 8], true, false),
        ["veo3.1_fast"] = new(VeoRatios, VeoRatios, [4, 6, 8], true, false),
    };

    private static readonly string[] ImageRatios =
        ["1024:1024", "1080:1080", "1168:880", "1360:768", "1440:1080", "1080:1440", "1808:768", "1920:1080", "1080:1920", "2112:912", "1280:720", "720:1280", "720:720", "960:720", "720:960", "1680:720"];

    private static readonly string[] ImageModels = ["gen4_image", "gen4_image_turbo"];
    private static readonly string[] TargetRatios = ["16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "21:9"];
    private const int MaxPromptLength = 1000;
    private const long MaxImageDataUri = 5L * 1024 * 1024;
    private const long MaxVideoDataUri = 16L * 1024 * 1024;
    private const long MaxUploadBytes = 200L * 1024 * 1024;

    public override string Provider => "runway";

    protected override IResult Unauthorized() => Error(401, "Invalid API key. Provide a valid key in the Authorization header as 'Bearer <key>'.");

    protected override void MapApi(WebApplication app)
    {
        app.MapPost("/v1/image_to_video", (HttpRequest request) => CreateAsync(request, "image_to_video", ValidateImageToVideo));
        app.MapPost("/v1/text_to_video", (HttpRequest request) => CreateAsync(request, "text_to_video", ValidateTextToVideo));
        app.MapPost("/v1/text_to_image", (HttpRequest request) => CreateAsync(request, "text_to_image", ValidateTextToImage));
        app.MapPost("/v1/video_to_video", (HttpRequest request) => CreateAsync(request, "video_to_video", ValidateVideoToVideo));
        app.MapPost("/v1/uploads", async (HttpRequest request) =>
        {
            if (VersionError(request) is { } versionError)
            {
                return versionError;
            }

            var body = await ReadObjectAsync(request);
            if (Text(body, "filename") is not { Length: > 0 } name || Text(body, "type") != "ephemeral")
            {
                return Invalid("filename", "Expected a filename and type 'ephemeral'.").Error!;
            }

            var id = Guid.NewGuid().ToString("N");
            return JsonResult(new JsonObject
            {
                ["uploadUrl"] = MediaUrl("_storage/runway"),
                ["fields"] = new JsonObject { ["key"] = id, ["Content-Type"] = name.EndsWith(".mp4", StringComparison.Ordinal) ? "video/mp4" : "image/png", ["policy"] = "c2ltdWxhdG9y" },
                ["runwayUri"] = $"runway://uploads/{id}",
            });
        });
        app.MapPost("/_storage/runway", async (HttpRequest request) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            if (form?.Files.GetFile("file") is not { Length: > 0 and <= MaxUploadBytes } file || form["key"].ToString() is not { Length: > 0 } key)
            {
                return Results.BadRequest();
            }

            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            Assets.Store(new StoredAsset(key, file.ContentType, copy.ToArray(), Time.GetUtcNow()));
            return Results.NoContent();
        }).DisableAntiforgery();
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

    /// <param name="Loop">The same image is the first and the last keyframe: the clip ends on the frame it starts with.</param>
    private sealed record Accepted(string Model, string Prompt, string? Ratio, int Seconds, long InputBytes, bool IsImage, bool Loop = false);

    private sealed record Outcome(Accepted? Ok, IResult? Error);

    private async Task<IResult> CreateAsync(HttpRequest request, string operation, Func<JsonObject, Outcome> validate)
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
                // Runway has no per-minute limit: a 429 on create is the tier's daily generations cap.
                return WithRetryAfter(Error(429, "You have exceeded your daily generation limit for this model."), fault.Value.RetryAfterSeconds);
            case FaultKind.InsufficientCredits:
                return Error(400, "You do not have enough credits to run this task.");
            case FaultKind.ModelRetired:
                return Invalid("model", $"Invalid enum value. Expected {string.Join(" | ", VideoModels.Keys.Where(k => k != accepted.Model).Select(k => $"'{k}'"))}").Error!;
            case FaultKind.AssetFetchFailed:
                return Invalid("promptImage", "Failed to fetch asset. The URL may be incorrect or the server hosting the asset may be down.").Error!;
            case FaultKind.AssetTooLarge:
                return Invalid("promptImage", "The data URI is too large: data URIs must be under 1MB.").Error!;
            case FaultKind.ParameterRejected:
                return Invalid("ratio", "Invalid enum value. Expected '1280:720'").Error!;
        }

        var job = Create(operation, accepted, body, fault);
        return fault?.Kind == FaultKind.MalformedJson ? Malformed() : JsonResult(new JsonObject { ["id"] = job.Id });
    }

    private SimJob Create(string operation, Accepted accepted, JsonObject body, (FaultKind Kind, int RetryAfterSeconds, int HoldMs)? fault)
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
        else if (accepted.Loop)
        {
            var (w, h) = MediaStore.VideoSize(ratio);
            output = MediaUrl(MediaStore.LoopPath(w, h, accepted.Seconds, id));
            Prepare(() => Media.LoopVideoAsync(w, h, accepted.Seconds));
        }
        else
        {
            var (w, h) = MediaStore.VideoSize(ratio);
            output = MediaUrl(MediaStore.VideoPath(w, h, accepted.Seconds, id));
            Prepare(() => Media.VideoAsync(w, h, accepted.Seconds));
        }

        var start = fault?.Kind == FaultKind.Throttled ? now.AddMilliseconds(fault.Value.HoldMs) : (DateTimeOffset?)null;
        var job = new SimJob
        {
            Id = id,
            Model = accepted.Model,
            Operation = operation,
            Prompt = accepted.Prompt,
            InputBytes = accepted.InputBytes,
            Seed = Number(body, "seed"),
            CreatedAt = now,
            QueuedUntil = start,
            CompletesAt = fault?.Kind == FaultKind.NeverFinish ? null : (start ?? now) + Latency,
            Fault = fault?.Kind,
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
            case { Kind: FaultKind.UnknownJob }:
                return Error(404, "Task not found.");
        }

        var now = Time.GetUtcNow();
        var phase = job.PhaseAt(now);
        var task = new JsonObject
        {
            ["id"] = job.Id,
            ["status"] = phase switch
            {
                SimJobPhase.Queued => "THROTTLED",
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
            case SimJobPhase.Failed when job.Fault == FaultKind.BadMedia:
                task["failure"] = "The input asset could not be processed.";
                task["failureCode"] = "ASSET.INVALID";
                break;
            case SimJobPhase.Failed:
                task["failure"] = "An unexpected error occurred while generating.";
                task["failureCode"] = "INTERNAL.BAD_OUTPUT.CODE01";
                break;
        }

        return JsonResult(task);
    }

    private Outcome ValidateImageToVideo(JsonObject body)
    {
        var model = Text(body, "model");
        if (model is null || !VideoModels.TryGetValue(model, out var spec))
        {
            return Invalid("model", $"Invalid enum value. Expected {string.Join(" | ", VideoModels.Keys.Select(k => $"'{k}'"))}");
        }

        string? image;
        var loop = false;
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

                if (frames.Select(f => Asset(Text(f, "uri"), video: false).Error).FirstOrDefault(e => e is not null) is { } bad)
                {
                    return Invalid("promptImage", bad);
                }

                image = Text(frames[0], "uri");
                loop = frames.Count == 2 && Text(frames[0], "uri") == Text(frames[1], "uri");
                break;
            default:
                return Invalid("promptImage", "Expected a HTTPS URL, a data URI, or an array of {uri, position}.");
        }

        var (bytes, assetError) = Asset(image, video: false);
        if (assetError is not null)
        {
            return Invalid("promptImage", assetError);
        }

        var clip = Clip(body, model, spec, spec.ImageRatios, bytes);
        return clip.Ok is { } ok ? clip with { Ok = ok with { Loop = loop } } : clip;
    }

    private Outcome ValidateTextToVideo(JsonObject body)
    {
        var model = Text(body, "model");
        if (model is null || !VideoModels.TryGetValue(model, out var spec) || spec.TextRatios.Length == 0)
        {
            return Invalid("model", $"Invalid enum value. Expected {string.Join(" | ", VideoModels.Where(m => m.Value.TextRatios.Length > 0).Select(m => $"'{m.Key}'"))}");
        }

        if (string.IsNullOrEmpty(Text(body, "promptText")))
        {
            return Invalid("promptText", "Required");
        }

        return Clip(body, model, spec, spec.TextRatios, 0);
    }

    private static Outcome Clip(JsonObject body, string model, VideoModel spec, string[] ratios, long inputBytes)
    {
        var prompt = Text(body, "promptText") ?? "";
        if (prompt.Length > MaxPromptLength)
        {
            return Invalid("promptText", $"String must contain at most {MaxPromptLength} character(s)");
        }

        var ratio = Text(body, "ratio");
        if (ratio is null || !ratios.Contains(ratio))
        {
            return Invalid("ratio", $"Invalid enum value. Expected {string.Join(" | ", ratios.Select(r => $"'{r}'"))}");
        }

        var duration = (int)(Number(body, "duration") ?? spec.Durations.Max());
        if (!spec.Durations.Contains(duration))
        {
            return Invalid("duration", $"Invalid duration for {model}: {duration}.");
        }

        if (!spec.Seed && body["seed"] is not null)
        {
            return Invalid("seed", $"Unrecognized key for {model}: 'seed'");
        }

        return SeedError(body) ?? new Outcome(new Accepted(model, prompt, ratio, duration, inputBytes, false), null);
    }

    private static Outcome ValidateTextToImage(JsonObject body)
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

        return SeedError(body) ?? new Outcome(new Accepted(model, prompt, ratio, 0, 0, true), null);
    }

    private Outcome ValidateVideoToVideo(JsonObject body)
    {
        if (Text(body, "model") != "aleph2")
        {
            return Invalid("model", "Invalid enum value. Expected 'aleph2' | 'seedance2' | 'seedance2_fast' | 'seedance2_mini' | 'gemini_omni_flash'");
        }

        var (bytes, assetError) = Asset(Text(body, "videoUri"), video: true);
        if (assetError is not null)
        {
            return Invalid("videoUri", assetError);
        }

        var prompt = Text(body, "promptText") ?? "";
        if (prompt.Length > MaxPromptLength)
        {
            return Invalid("promptText", $"String must contain at most {MaxPromptLength} character(s)");
        }

        var target = Text(body, "targetAspectRatio");
        if (target is not null && !TargetRatios.Contains(target))
        {
            return Invalid("targetAspectRatio", $"Invalid enum value. Expected {string.Join(" | ", TargetRatios.Select(r => $"'{r}'"))}");
        }

        // The output keeps the input's proportions (taken as 16:9 here) unless expanded to a target ratio.
        return SeedError(body) ?? new Outcome(new Accepted("aleph2", prompt, target ?? "16:9", 5, bytes, false), null);
    }

    /// <summary>
    /// A media reference as Runway accepts it: an https URL on a domain name, a data URI under the cap of its kind, or a
    /// runway:// URI of a finished upload. Returns the bytes it stands for (a URL's length, the simulator never fetches URLs).
    /// </summary>
    private (long Bytes, string? Error) Asset(string? reference, bool video)
    {
        if (reference is null)
        {
            return (0, "Required");
        }

        if (reference.StartsWith("data:", StringComparison.Ordinal))
        {
            var cap = video ? MaxVideoDataUri : MaxImageDataUri;
            return reference.Length >= cap
                ? (0, $"The data URI is too large: data URIs must be under {cap / (1024 * 1024)}MB.")
                : Assets.DataUri(reference) is { } decoded ? (decoded.Bytes.LongLength, null) : (0, "Invalid data URI.");
        }

        if (reference.StartsWith("runway://uploads/", StringComparison.Ordinal))
        {
            return Assets.Find(reference["runway://uploads/".Length..]) is { } upload ? (upload.Bytes.LongLength, null) : (0, "Unknown upload.");
        }

        if (!Uri.TryCreate(reference, UriKind.Absolute, out var uri))
        {
            return (0, "Invalid URL");
        }

        return Assets.UrlRefusal(uri) is { } refusal ? (0, refusal) : (reference.Length, null);
    }

    private static Outcome? SeedError(JsonObject body) =>
        body["seed"] is null || Number(body, "seed") is >= 0 and <= 4_294_967_295L ? null : Invalid("seed", "Number must be between 0 and 4294967295");

    private static IResult? VersionError(HttpRequest request) =>
        request.Headers["X-Runway-Version"].ToString() == ApiVersion
            ? null
            : Error(400, $"The X-Runway-Version header is missing or not a supported version. Set it to {ApiVersion}.");

    private static Outcome Invalid(string field, string message) =>
        new(null, JsonResult(new JsonObject
        {
            ["error"] = "Validation of body failed",
            ["issues"] = new JsonArray(new JsonObject { ["path"] = new JsonArray(field), ["message"] = message }),
        }, StatusCodes.Status400BadRequest));

    private static IResult Error(int status, string message) => JsonResult(new JsonObject { ["error"] = message }, status);
}
