using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Providers.Simulators;

/// <summary>
/// Leonardo.Ai's REST API under /api/rest/v1: GET me; POST init-image (presigned upload details whose form POST goes to
/// this simulator's /_storage/upload, standing in for S3) and DELETE init-image/{id}; POST generations-image-to-video and
/// generations-text-to-video ({"motionVideoGenerationJob": {"generationId", "cost": {"amount", "unit"}, "apiCreditCost"}});
/// GET generations/{id} ({"generations_by_pk": ...}, PENDING then COMPLETE or FAILED); DELETE generations/{id};
/// GET generations/user/{userId} (offset, limit up to 50). Errors are {"error", "path", "code"}.
/// With a webhook callback configured (<see cref="ConfigureWebhook"/>: on the real API, set on the production API key, HTTPS only),
/// each generation's end is POSTed there with "Authorization: Bearer {webhook callback API key}":
/// {"type": "image_generation.complete", "object": "generation", "timestamp", "api_version", "data": {"object": {the generation}}}
/// (the only event type Leonardo documents; it names motion generations no differently here).
/// </summary>
public sealed class LeonardoSimulator(string apiKey, TimeSpan latency, MediaStore media, bool acceptLoopbackOrigins)
    : ProviderSimulator(apiKey, latency, media, acceptLoopbackOrigins)
{
    private static readonly string[] Models = ["MOTION2", "MOTION2FAST", "VEO3", "VEO3FAST", "KLING2_1", "KLING2_5"];

    public const string UserId = "5b1c7f3e-0d3a-4e58-9f6e-2f2d7a1c9b11";
    private const decimal CreditCost = 25m;

    /// <summary>The unit create answers report the cost in: CREDITS, or DOLLARS on a pay-as-you-go plan.</summary>
    public string CostUnit { get; set; } = "CREDITS";

    /// <summary>Init images uploaded and not deleted.</summary>
    public int InitImageCount => uploads.Count;

    private static readonly Dictionary<string, string> TextToVideoSizes = new()
    {
        ["832x480"] = "16:9", ["480x832"] = "9:16", ["512x768"] = "2:3", ["576x720"] = "4:5",
        ["1280x720"] = "16:9", ["720x1280"] = "9:16",
    };

    /// <summary>Init images by id: pending (false) until their form upload arrives.</summary>
    private readonly ConcurrentDictionary<string, long> uploads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> keys = new(StringComparer.Ordinal);

    private (Uri Url, string? ApiKey)? webhook;

    public override string Provider => "leonardo";

    /// <summary>The API key's webhook callback URL and webhook callback API key; null URL: none.</summary>
    public void ConfigureWebhook(string? url, string? callbackApiKey)
    {
        if (url is null)
        {
            webhook = null;
            return;
        }

        webhook = Webhooks.Refusal(url) is { } refusal
            ? throw new ArgumentException($"The webhook callback URL is refused: {refusal}", nameof(url))
            : (new Uri(url), callbackApiKey);
    }

    protected override string ApiPrefix => "/api/rest";

    protected override IResult Unauthorized() => Error(401, "Authentication hook unauthorized this request", "access-denied");

    protected override void MapApi(WebApplication app)
    {
        app.MapGet("/api/rest/v1/me", () => JsonResult(new JsonObject
        {
            ["user_details"] = new JsonArray(new JsonObject
            {
                ["user"] = new JsonObject { ["id"] = UserId, ["username"] = "simulator" },
                ["tokenRenewalDate"] = null,
                ["paidTokens"] = 0,
                ["subscriptionTokens"] = 0,
                ["subscriptionGptTokens"] = 0,
                ["subscriptionModelTokens"] = 0,
                ["apiConcurrencySlots"] = 10,
                ["apiPaidTokens"] = 100000,
                ["apiSubscriptionTokens"] = 0,
                ["apiPlanTokenRenewalDate"] = null,
            }),
        }));
        app.MapPost("/api/rest/v1/init-image", async (HttpRequest request) =>
        {
            var extension = Text(await ReadObjectAsync(request), "extension");
            if (extension is not ("png" or "jpg" or "jpeg" or "webp"))
            {
                return Error(400, "extension has to be png, jpg, jpeg, or webp", "validation-failed");
            }

            var id = Guid.NewGuid().ToString();
            var key = $"users/{UserId}/initImages/{id}.{extension}";
            uploads[id] = -1;
            keys[key] = id;
            var fields = new JsonObject
            {
                ["Content-Type"] = $"image/{(extension == "jpg" ? "jpeg" : extension)}",
                ["bucket"] = "simulator-init-images",
                ["X-Amz-Algorithm"] = "AWS4-HMAC-SHA256",
                ["key"] = key,
                ["Policy"] = "c2ltdWxhdG9y",
                ["X-Amz-Signature"] = "simulator",
            };
            return JsonResult(new JsonObject
            {
                ["uploadInitImage"] = new JsonObject
                {
                    ["id"] = id, ["fields"] = fields.ToJsonString(), ["key"] = key, ["url"] = MediaUrl("_storage/upload"),
                },
            });
        });
        app.MapDelete("/api/rest/v1/init-image/{id}", (string id) =>
        {
            var known = uploads.TryRemove(id, out _);
            return JsonResult(new JsonObject { ["delete_init_images_by_pk"] = known ? new JsonObject { ["id"] = id } : null });
        });
        app.MapPost("/_storage/upload", async (HttpRequest request) =>
        {
            if (!request.HasFormContentType)
            {
                return Results.BadRequest();
            }

            var form = await request.ReadFormAsync();
            if (form.Files.GetFile("file") is not { Length: > 0 } file || !keys.TryGetValue(form["key"].ToString(), out var id))
            {
                return Results.BadRequest();
            }

            uploads[id] = file.Length;
            return Results.NoContent();
        }).DisableAntiforgery();
        app.MapPost("/api/rest/v1/generations-image-to-video", (HttpRequest request) => CreateAsync(request, "image-to-video"));
        app.MapPost("/api/rest/v1/generations-text-to-video", (HttpRequest request) => CreateAsync(request, "text-to-video"));
        app.MapGet("/api/rest/v1/generations/{id}", GetGeneration);
        app.MapDelete("/api/rest/v1/generations/{id}", (string id) =>
        {
            var job = Ledger.Find(id);
            if (job is null)
            {
                return JsonResult(new JsonObject { ["delete_generations_by_pk"] = null });
            }

            job.TryCancel(Time.GetUtcNow());
            Ledger.Forget(id);
            return JsonResult(new JsonObject { ["delete_generations_by_pk"] = new JsonObject { ["id"] = id } });
        });
        app.MapGet("/api/rest/v1/generations/user/{userId}", (string userId, HttpRequest request) =>
        {
            var offset = int.TryParse(request.Query["offset"], out var o) ? Math.Max(0, o) : 0;
            var limit = int.TryParse(request.Query["limit"], out var l) ? Math.Clamp(l, 1, 50) : 10;
            var generations = userId == UserId
                ? Ledger.Jobs.Where(j => Ledger.Find(j.Id) is not null).OrderByDescending(j => j.CreatedAt).Skip(offset).Take(limit).Select(j => (JsonNode)Generation(j)).ToArray()
                : [];
            return JsonResult(new JsonObject { ["generations"] = new JsonArray(generations) });
        });
    }

    private async Task<IResult> CreateAsync(HttpRequest request, string operation)
    {
        var body = await ReadObjectAsync(request);
        var prompt = Text(body, "prompt");
        if (body is null || string.IsNullOrWhiteSpace(prompt))
        {
            return Error(400, "Expected prompt to be a non-empty string", "validation-failed");
        }

        if (Text(body, "model") is { } model && !Models.Contains(model))
        {
            return Error(400, $"model must be one of {string.Join(", ", Models)}", "validation-failed");
        }

        if (Number(body, "seed") is { } seed && seed is < 0 or > 2_147_483_637)
        {
            return Error(400, "The maximum seed value is 2147483637 for Motion 2.0.", "validation-failed");
        }

        string ratio;
        long inputBytes = 0;
        if (operation == "image-to-video")
        {
            if (Text(body, "imageId") is not { } imageId || Text(body, "imageType") is not ("UPLOADED" or "GENERATED") ||
                !uploads.TryGetValue(imageId, out var size) || size <= 0)
            {
                return Error(400, "imageId must reference an uploaded init image (imageType UPLOADED).", "validation-failed");
            }

            inputBytes = size;
            ratio = "16:9";
        }
        else
        {
            var dimensions = $"{Number(body, "width") ?? 832}x{Number(body, "height") ?? 480}";
            if (!TextToVideoSizes.TryGetValue(dimensions, out ratio!))
            {
                return Error(400, $"Unsupported video dimensions {dimensions}.", "validation-failed");
            }
        }

        var fault = Faults.Next(FaultTarget.Create, prompt);
        switch (fault?.Kind)
        {
            case FaultKind.ServerError:
                return Error(500, "Internal server error", "unexpected");
            case FaultKind.Unavailable:
                return Error(503, "Service temporarily unavailable", "unexpected");
            case FaultKind.RateLimited:
                return WithRetryAfter(Error(429, "Rate limit exceeded, please slow down.", "rate-limit"), fault.Value.RetryAfterSeconds);
            case FaultKind.InsufficientCredits:
                return Error(400, "Not enough API tokens to complete this request.", "unexpected");
            case FaultKind.ContentPolicy:
                return Error(400, "Your prompt was flagged by our content moderation filter as inappropriate.", "unexpected");
            case FaultKind.ParameterRejected:
                return Error(400, "resolution must be one of RESOLUTION_480, RESOLUTION_720, RESOLUTION_1080", "validation-failed");
            case FaultKind.ModelRetired:
                return Error(400, $"model must be one of {string.Join(", ", Models.Where(m => m != Text(body, "model")))}", "validation-failed");
        }

        var now = Time.GetUtcNow();
        var id = Guid.NewGuid().ToString();
        var (w, h) = MediaStore.VideoSize(MediaStore.Ratio(ratio)!.Value);
        var job = new SimJob
        {
            Id = id,
            Model = Text(body, "model") ?? "MOTION2",
            Operation = operation,
            Prompt = prompt,
            InputBytes = inputBytes,
            Seed = Number(body, "seed") ?? Random.Shared.NextInt64(2_147_483_637),
            CreatedAt = now,
            CompletesAt = fault?.Kind == FaultKind.NeverFinish ? null : now + Latency,
            Fault = fault?.Kind,
            Input = body,
            Outputs = [MediaUrl(MediaStore.VideoPath(w, h, 5, id))],
            Extras = new Dictionary<string, string> { ["width"] = w.ToString(CultureInfo.InvariantCulture), ["height"] = h.ToString(CultureInfo.InvariantCulture) },
        };
        Ledger.Add(job);
        if (webhook is { } callback)
        {
            Webhooks.DeliverWhenEnded(job, callback.Url, ended => Callback(ended, callback.ApiKey));
        }

        Prepare(() => Media.VideoAsync(w, h, 5));
        return fault?.Kind == FaultKind.MalformedJson
            ? Malformed()
            : JsonResult(new JsonObject
            {
                ["motionVideoGenerationJob"] = new JsonObject
                {
                    ["generationId"] = id,
                    ["cost"] = new JsonObject { ["amount"] = CreditCost.ToString(CultureInfo.InvariantCulture), ["unit"] = CostUnit },
                    ["apiCreditCost"] = CreditCost,
                },
            });
    }

    private IResult GetGeneration(string id)
    {
        var job = Ledger.Find(id);
        var fault = job is null ? null : Faults.Next(FaultTarget.Poll, job.Prompt);
        return fault switch
        {
            { Kind: FaultKind.ServerError } => Error(500, "Internal server error", "unexpected"),
            { Kind: FaultKind.Unavailable } => Error(503, "Service temporarily unavailable", "unexpected"),
            { Kind: FaultKind.RateLimited } f => WithRetryAfter(Error(429, "Rate limit exceeded, please slow down.", "rate-limit"), f.RetryAfterSeconds),
            { Kind: FaultKind.MalformedJson } => Malformed(),
            { Kind: FaultKind.UnknownJob } => Error(404, "Not found", "not-found"),
            // A generation cancelled on Leonardo's side is gone: it reads as null, like a deleted one.
            _ => JsonResult(new JsonObject
            {
                ["generations_by_pk"] = job is null || job.PhaseAt(Time.GetUtcNow()) == SimJobPhase.Canceled ? null : Generation(job),
            }),
        };
    }

    private JsonObject Generation(SimJob job)
    {
        var now = Time.GetUtcNow();
        var phase = job.PhaseAt(now);
        var images = new JsonArray();
        if (phase == SimJobPhase.Succeeded)
        {
            images.Add(new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["url"] = job.Outputs[0],
                ["nsfw"] = job.Fault == FaultKind.NsfwOutput,
                ["likeCount"] = 0,
                ["motionMP4URL"] = job.Outputs[0],
                ["generated_image_variation_generics"] = new JsonArray(),
            });
        }

        return new JsonObject
        {
            ["id"] = job.Id,
            ["status"] = phase switch
            {
                SimJobPhase.Succeeded => "COMPLETE",
                SimJobPhase.Failed or SimJobPhase.Canceled => "FAILED",
                _ => "PENDING",
            },
            ["prompt"] = job.Prompt,
            ["negativePrompt"] = Text(job.Input, "negativePrompt") ?? "",
            ["seed"] = job.Seed,
            ["createdAt"] = job.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["imageWidth"] = int.Parse(job.Extras["width"], CultureInfo.InvariantCulture),
            ["imageHeight"] = int.Parse(job.Extras["height"], CultureInfo.InvariantCulture),
            ["modelId"] = null,
            ["guidanceScale"] = null,
            ["inferenceSteps"] = null,
            ["initStrength"] = null,
            ["presetStyle"] = null,
            ["scheduler"] = null,
            ["sdVersion"] = null,
            ["motion"] = true,
            ["motionModel"] = job.Model,
            ["public"] = false,
            ["promptMagic"] = false,
            ["generated_images"] = images,
            ["generation_elements"] = new JsonArray(),
        };
    }

    private HttpRequestMessage Callback(SimJob job, string? apiKey)
    {
        var message = new JsonObject
        {
            ["type"] = "image_generation.complete",
            ["object"] = "generation",
            ["timestamp"] = Time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["api_version"] = "v1",
            ["data"] = new JsonObject { ["object"] = Generation(job) },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null)
        {
            Content = new StringContent(message.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return request;
    }

    private static IResult Error(int status, string message, string code) =>
        JsonResult(new JsonObject { ["error"] = message, ["path"] = "$", ["code"] = code }, status);
}
