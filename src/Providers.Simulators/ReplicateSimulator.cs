using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Providers.Simulators;

/// <summary>
/// Replicate's HTTP API for black-forest-labs/flux-dev: POST /v1/models/{owner}/{name}/predictions (honouring
/// "Prefer: wait[=n]" and the "Cancel-After" deadline: aborted before it runs, canceled while it runs), GET /v1/predictions/{id}
/// (outputs appear one by one while processing; an hour after creation the data is removed), POST /v1/predictions/{id}/cancel,
/// GET /v1/predictions (newest first, 100 a page behind a cursor, created_after and created_before filters), and the files
/// API (POST /v1/files multipart "content", GET and DELETE /v1/files/{id}). With an input image, flux-dev renders in the
/// image's proportions and ignores aspect_ratio. Errors are problem details ({"title", "detail", "status"}).
/// A prediction created with "webhook" (an HTTPS URL) and "webhook_events_filter" gets its "completed" webhook as it ends: the
/// prediction object, signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature "v1,..." with the account's
/// secret, which GET /v1/webhooks/default/secret returns).
/// </summary>
public sealed class ReplicateSimulator(string apiKey, TimeSpan latency, MediaStore media, bool acceptLoopbackOrigins)
    : ProviderSimulator(apiKey, latency, media, acceptLoopbackOrigins)
{
    /// <summary>"Input and output ... are automatically removed after an hour" (https://replicate.com/docs/topics/predictions/data-retention).</summary>
    public static readonly TimeSpan DataRetention = TimeSpan.FromHours(1);

    public const string Model = "black-forest-labs/flux-dev";
    private const string Version = "6e4a938f85952bdabcc15aa329178c4d681c52bf25a0342403287dc26944661d";
    private static readonly string[] AspectRatios = ["1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21"];
    private static readonly string[] OutputFormats = ["webp", "jpg", "png"];
    private const int PageSize = 100;
    private static readonly string[] WebhookEvents = ["start", "output", "logs", "completed"];

    /// <summary>The account's webhook signing secret ("whsec_" and the base64 of a random key), one per simulator.</summary>
    public string WebhookSecret { get; } = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public override string Provider => "replicate";

    /// <summary>Replicate accepts "Bearer" and the older "Token" scheme.</summary>
    protected override bool Authorized(HttpRequest request) =>
        request.Headers.Authorization.ToString() is var value && (value == $"Bearer {ApiKey}" || value == $"Token {ApiKey}");

    protected override IResult Unauthorized() => Problem(401, "Unauthenticated", "You did not pass a valid authentication token");

    protected override void MapApi(WebApplication app)
    {
        app.MapPost("/v1/models/{owner}/{name}/predictions", CreateAsync);
        app.MapGet("/v1/predictions/{id}", Poll);
        app.MapPost("/v1/predictions/{id}/cancel", (string id) =>
        {
            var job = Ledger.Find(id);
            if (job is null)
            {
                return NotFound();
            }

            job.TryCancel(Time.GetUtcNow());
            return JsonResult(Prediction(job));
        });
        app.MapGet("/v1/predictions", List);
        app.MapGet("/v1/webhooks/default/secret", () => JsonResult(new JsonObject { ["key"] = WebhookSecret }));
        app.MapPost("/v1/files", async (HttpRequest request) =>
        {
            var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
            if (form?.Files.GetFile("content") is not { Length: > 0 and <= 100L * 1024 * 1024 } file)
            {
                return Problem(422, "Input validation failed", "- content: a file is required");
            }

            using var copy = new MemoryStream();
            await file.CopyToAsync(copy);
            var asset = new StoredAsset(Base64Url.EncodeToString(Guid.NewGuid().ToByteArray()), file.ContentType, copy.ToArray(), Time.GetUtcNow());
            Assets.Store(asset);
            return JsonResult(FileJson(asset, file.FileName), StatusCodes.Status201Created);
        }).DisableAntiforgery();
        app.MapGet("/v1/files/{id}", (string id) => Assets.Find(id) is { } asset ? JsonResult(FileJson(asset, "input")) : NotFound());
        app.MapDelete("/v1/files/{id}", (string id) => Assets.Remove(id) ? Results.NoContent() : NotFound());
    }

    private JsonObject FileJson(StoredAsset asset, string name) => new()
    {
        ["id"] = asset.Id,
        ["name"] = name,
        ["content_type"] = asset.ContentType,
        ["size"] = asset.Bytes.LongLength,
        ["etag"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(asset.Bytes))[..32],
        ["checksums"] = new JsonObject { ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(asset.Bytes)) },
        ["metadata"] = new JsonObject(),
        ["created_at"] = Stamp(asset.CreatedAt),
        ["expires_at"] = Stamp(asset.CreatedAt.AddDays(1)),
        ["urls"] = new JsonObject { ["get"] = new Uri(Origin, $"v1/files/{asset.Id}").ToString() },
    };

    /// <summary>
    /// The account's predictions, newest first, 100 a page, with an opaque cursor in "next" (null on the last page), filtered
    /// by created_after and created_before as Replicate's list endpoint is.
    /// </summary>
    private IResult List(HttpRequest request)
    {
        switch (Faults.Next(FaultTarget.List, null)?.Kind)
        {
            case FaultKind.ServerError:
                return Problem(500, "Internal server error", "An unexpected error occurred.");
            case FaultKind.Unavailable:
                return Problem(503, "Service unavailable", "The service is temporarily overloaded.");
        }

        var after = Instant(request.Query["created_after"]) ?? DateTimeOffset.MinValue;
        var before = Instant(request.Query["created_before"]) ?? DateTimeOffset.MaxValue;
        var ordered = Ledger.Jobs.Where(j => j.CreatedAt >= after && j.CreatedAt < before)
            .OrderByDescending(j => j.CreatedAt).ThenByDescending(j => j.Id, StringComparer.Ordinal).ToList();
        if (Cursor.TryRead(request.Query["cursor"], out var cursor))
        {
            ordered = ordered.SkipWhile(j => j.CreatedAt > cursor.CreatedAt || (j.CreatedAt == cursor.CreatedAt && string.CompareOrdinal(j.Id, cursor.Id) >= 0)).ToList();
        }

        var page = ordered.Take(PageSize).ToList();
        string? next = null;
        if (ordered.Count > PageSize)
        {
            var query = QueryString.Create(request.Query.Where(q => q.Key != "cursor")
                .Append(new("cursor", Cursor.Write(page[^1]))));
            next = new Uri(Origin, "v1/predictions" + query).ToString();
        }

        var results = new JsonArray(page.Select(j => (JsonNode)Prediction(j)).ToArray());
        return JsonResult(new JsonObject { ["next"] = next, ["previous"] = null, ["results"] = results });

        static DateTimeOffset? Instant(string? text) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>Where a listing page ended: the last prediction's creation time and id, opaque to clients.</summary>
    private static class Cursor
    {
        public static string Write(SimJob last) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{last.CreatedAt.UtcTicks}:{last.Id}"));

        public static bool TryRead(string? text, out (DateTimeOffset CreatedAt, string Id) cursor)
        {
            cursor = default;
            var parts = Base64Url.IsValid(text) ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split(':', 2) : [];
            if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                || ticks > DateTimeOffset.MaxValue.UtcTicks)
            {
                return false;
            }

            cursor = (new DateTimeOffset(ticks, TimeSpan.Zero), parts[1]);
            return true;
        }
    }

    private async Task<IResult> CreateAsync(string owner, string name, HttpRequest request)
    {
        if ($"{owner}/{name}" != Model)
        {
            return NotFound();
        }

        var body = await ReadObjectAsync(request);
        if (body?["input"] is not JsonObject input)
        {
            return Problem(422, "Input validation failed", "- input: input is required", Invalid("input", "required", "input is required"));
        }

        var prompt = Text(input, "prompt");
        if (Validate(input, prompt) is { } invalid)
        {
            return invalid;
        }

        var (webhook, webhookInvalid) = ReadWebhook(body);
        if (webhookInvalid is not null)
        {
            return webhookInvalid;
        }

        var fault = Faults.Next(FaultTarget.Create, prompt);
        switch (fault?.Kind)
        {
            case FaultKind.ServerError:
                return Problem(500, "Internal server error", "An unexpected error occurred.");
            case FaultKind.Unavailable:
                return Problem(503, "Service unavailable", "The service is temporarily overloaded.");
            case FaultKind.RateLimited:
                return WithRetryAfter(Problem(429, "Request was throttled.", $"Request was throttled. Expected available in {fault.Value.RetryAfterSeconds} second."),
                    fault.Value.RetryAfterSeconds);
            case FaultKind.ModelRetired:
                return NotFound();
            case FaultKind.ParameterRejected:
                return Problem(422, "Input validation failed", "- input.megapixels: must be one of 1, 0.25", Invalid("input.megapixels", "enum", "value is not allowed"));
            case FaultKind.InsufficientCredits:
                return Problem(402, "Insufficient credit",
                    "You have insufficient credit to run this model. Go to https://replicate.com/account/billing#billing to purchase credit. Once you purchase credit, please wait a few minutes before trying again.");
        }

        var job = Create(input, prompt!, fault?.Kind, CancelAfter(request.Headers["Cancel-After"].ToString()));
        if (webhook is not null)
        {
            Webhooks.DeliverWhenEnded(job, webhook, SignedWebhook);
        }
        if (fault?.Kind == FaultKind.MalformedJson)
        {
            return Malformed(StatusCodes.Status201Created);
        }

        // "Prefer: wait" or "wait=n" (1-60 s) holds the answer until the prediction ends or the time is up.
        if (Wait(request.Headers["Prefer"].ToString()) is { } wait && job.CompletesAt is { } end)
        {
            // Until the clock says it ended: a timer may fire a millisecond before the wall clock gets there.
            var deadline = Time.GetUtcNow() + wait;
            for (var now = Time.GetUtcNow(); now < end && now < deadline; now = Time.GetUtcNow())
            {
                var until = end < deadline ? end : deadline;
                await Task.Delay(until - now + TimeSpan.FromMilliseconds(1), request.HttpContext.RequestAborted);
            }
        }

        return JsonResult(Prediction(job), StatusCodes.Status201Created);
    }

    /// <summary>
    /// The prediction's webhook target when it asked for its "completed" event (the only one simulated), else null; or the refusal of
    /// a webhook the real API refuses (not an HTTPS URL, an unknown event in webhook_events_filter).
    /// </summary>
    private (Uri? Target, IResult? Refusal) ReadWebhook(JsonObject body)
    {
        if (body["webhook"] is null)
        {
            return (null, null);
        }

        var url = Text(body, "webhook");
        if (Webhooks.Refusal(url) is { } refusal)
        {
            return (null, Problem(422, "Input validation failed", $"- webhook: {refusal}", Invalid("webhook", "format", refusal)));
        }

        var events = body["webhook_events_filter"] switch
        {
            null => ["output", "completed"],
            JsonArray array => array.Select(e => e is JsonValue v && v.TryGetValue<string>(out var name) ? name : "").ToList(),
            _ => [""],
        };
        if (events.FirstOrDefault(e => !WebhookEvents.Contains(e)) is { } unknown)
        {
            return (null, Problem(422, "Input validation failed", $"- webhook_events_filter: '{unknown}' is not one of start, output, logs, completed",
                Invalid("webhook_events_filter", "enum", "value is not allowed")));
        }

        return (events.Contains("completed") ? new Uri(url!) : null, null);
    }

    /// <summary>The "completed" delivery: the prediction as it ended, signed with the account's secret.</summary>
    private HttpRequestMessage SignedWebhook(SimJob job)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(Prediction(job).ToJsonString());
        // One message per prediction (its completed event): a retry of it keeps the id, as Standard Webhooks has it, and is signed
        // again with a fresh timestamp.
        var id = "msg_" + job.Id;
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var key = Convert.FromBase64String(WebhookSecret["whsec_".Length..]);
        var signed = System.Text.Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var request = new HttpRequestMessage(HttpMethod.Post, (Uri?)null) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(key, signed)));
        return request;
    }

    /// <summary>"Cancel-After: 90s", "1m", "1h": the prediction's deadline from its creation.</summary>
    private static TimeSpan? CancelAfter(string header)
    {
        if (header.Length < 2 || !int.TryParse(header[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return header[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => null,
        };
    }

    /// <summary>Width over height of the input image when the simulator can read it (a data URI or one of its files); null otherwise.</summary>
    private double? InputRatio(string? image)
    {
        var bytes = Assets.DataUri(image)?.Bytes;
        if (bytes is null && image is not null && Uri.TryCreate(image, UriKind.Absolute, out var uri) && uri.Authority == Origin.Authority &&
            uri.AbsolutePath.StartsWith("/v1/files/", StringComparison.Ordinal))
        {
            bytes = Assets.Find(uri.AbsolutePath["/v1/files/".Length..])?.Bytes;
        }

        return bytes is not null && Assets.ImageSize(bytes) is { Width: > 0, Height: > 0 } size ? (double)size.Width / size.Height : null;
    }

    private SimJob Create(JsonObject input, string prompt, FaultKind? fault, TimeSpan? cancelAfter)
    {
        var now = Time.GetUtcNow();
        var id = NewId();
        var count = (int)(Number(input, "num_outputs") ?? 1);
        if (fault == FaultKind.PartialOutputs)
        {
            count = Math.Max(1, count - 1);
        }

        var format = Text(input, "output_format") ?? "webp";
        // flux-dev's image-to-image keeps the input's proportions; aspect_ratio only applies without an image.
        var image = Text(input, "image");
        var (width, height) = MediaStore.ImageSize(image is not null ? InputRatio(image) ?? 1.0 : MediaStore.Ratio(Text(input, "aspect_ratio")) ?? 1.0);
        var job = new SimJob
        {
            Id = id,
            Model = Model,
            Operation = "prediction",
            Prompt = prompt,
            InputBytes = InputSize(Text(input, "image")),
            Seed = Number(input, "seed"),
            CreatedAt = now,
            CompletesAt = fault == FaultKind.NeverFinish ? null : now + Latency,
            Deadline = now + cancelAfter,
            Fault = fault,
            Input = (JsonObject)input.DeepClone(),
            Outputs = Enumerable.Range(0, count).Select(i => MediaUrl(MediaStore.ImagePath(width, height, format, $"{id}-out-{i}"))).ToList(),
        };
        Ledger.Add(job);
        Prepare(() => Media.ImageAsync(width, height, format));
        return job;
    }

    private static IResult? Validate(JsonObject input, string? prompt)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            return Problem(422, "Input validation failed", "- input.prompt: prompt is required", Invalid("input.prompt", "required", "prompt is required"));
        }

        if (Number(input, "num_outputs") is { } n && n is < 1 or > 4)
        {
            return Problem(422, "Input validation failed", "- input.num_outputs: Must be between 1 and 4", Invalid("input.num_outputs", "range", "Must be between 1 and 4"));
        }

        if (Text(input, "aspect_ratio") is { } ratio && !AspectRatios.Contains(ratio))
        {
            return Problem(422, "Input validation failed", $"- input.aspect_ratio: must be one of {string.Join(", ", AspectRatios)}",
                Invalid("input.aspect_ratio", "enum", "value is not allowed"));
        }

        if (Text(input, "output_format") is { } format && !OutputFormats.Contains(format))
        {
            return Problem(422, "Input validation failed", "- input.output_format: must be one of webp, jpg, png", Invalid("input.output_format", "enum", "value is not allowed"));
        }

        return Text(input, "image") is { } image && !(image.StartsWith("http://", StringComparison.Ordinal) || image.StartsWith("https://", StringComparison.Ordinal) ||
                                                    image.StartsWith("data:", StringComparison.Ordinal))
            ? Problem(422, "Input validation failed", "- input.image: Does not match format 'uri'", Invalid("input.image", "format", "Does not match format 'uri'"))
            : null;
    }

    private IResult Poll(string id)
    {
        var job = Ledger.Find(id);
        if (job is null)
        {
            return NotFound();
        }

        return Faults.Next(FaultTarget.Poll, job.Prompt) switch
        {
            { Kind: FaultKind.ServerError } => Problem(500, "Internal server error", "An unexpected error occurred."),
            { Kind: FaultKind.Unavailable } => Problem(503, "Service unavailable", "The service is temporarily overloaded."),
            { Kind: FaultKind.RateLimited } f => WithRetryAfter(Problem(429, "Request was throttled.", "Request was throttled."), f.RetryAfterSeconds),
            { Kind: FaultKind.MalformedJson } => Malformed(),
            { Kind: FaultKind.UnknownJob } => NotFound(),
            _ => JsonResult(Prediction(job)),
        };
    }

    /// <summary>A prediction object as the API returns it.</summary>
    private JsonObject Prediction(SimJob job)
    {
        var now = Time.GetUtcNow();
        var phase = job.PhaseAt(now);
        var get = new Uri(Origin, $"v1/predictions/{job.Id}").ToString();
        var removed = now - job.CreatedAt >= DataRetention;
        // Outputs appear while the prediction is processing, one after the other; all of them once it succeeded.
        var shown = phase switch
        {
            SimJobPhase.Succeeded => job.Outputs.Count,
            SimJobPhase.Running => (int)(job.Outputs.Count * job.Progress(now)),
            _ => 0,
        };
        var prediction = new JsonObject
        {
            ["id"] = job.Id,
            ["model"] = job.Model,
            ["version"] = Version,
            ["input"] = removed ? new JsonObject() : job.Input.DeepClone(),
            ["logs"] = phase == SimJobPhase.Pending ? "" : "Running flux-dev...\n",
            ["output"] = removed || shown == 0 ? null : new JsonArray(job.Outputs.Take(shown).Select(o => (JsonNode)JsonValue.Create(o)!).ToArray()),
            ["data_removed"] = removed,
            ["error"] = phase != SimJobPhase.Failed ? null
                : job.Fault == FaultKind.ContentPolicy ? "NSFW content detected. Try running it again, or try a different prompt."
                : job.Fault == FaultKind.BadMedia ? "cannot identify image file <_io.BytesIO object at 0x7f>"
                : job.Fault == FaultKind.AssetFetchFailed ? "Failed to download input image: 403 Forbidden"
                : "Prediction failed: the model raised an exception.",
            ["source"] = "api",
            ["status"] = phase switch
            {
                SimJobPhase.Queued or SimJobPhase.Pending => "starting",
                SimJobPhase.Running => "processing",
                SimJobPhase.Succeeded => "succeeded",
                SimJobPhase.Failed => "failed",
                SimJobPhase.Aborted => "aborted",
                _ => "canceled",
            },
            ["created_at"] = Stamp(job.CreatedAt),
            ["started_at"] = phase == SimJobPhase.Pending ? null : Stamp(job.CreatedAt.AddMilliseconds(Latency.TotalMilliseconds / 3)),
            ["completed_at"] = job.EndedAt(now) is { } ended ? Stamp(ended) : null,
            ["urls"] = new JsonObject
            {
                ["cancel"] = get + "/cancel",
                ["get"] = get,
                ["stream"] = new Uri(Origin, $"v1/files/stream/{job.Id}").ToString(),
                ["web"] = new Uri(Origin, $"p/{job.Id}").ToString(),
            },
        };
        if (job.EndedAt(now) is { } end)
        {
            prediction["metrics"] = new JsonObject { ["predict_time"] = Math.Round((end - job.CreatedAt).TotalSeconds, 3) };
        }

        return prediction;
    }

    private static TimeSpan? Wait(string prefer)
    {
        if (!prefer.StartsWith("wait", StringComparison.Ordinal))
        {
            return null;
        }

        var seconds = prefer.Length > 5 && int.TryParse(prefer[5..], out var s) ? Math.Clamp(s, 1, 60) : 60;
        return TimeSpan.FromSeconds(seconds);
    }

    private static string NewId()
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(26, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static IResult NotFound() => Problem(404, "Not found", "The requested resource could not be found.");

    private static JsonArray Invalid(string field, string type, string description) =>
        [new JsonObject { ["type"] = type, ["field"] = field, ["description"] = description }];

    private static IResult Problem(int status, string title, string detail, JsonArray? invalidFields = null)
    {
        var body = new JsonObject { ["title"] = title, ["detail"] = detail, ["status"] = status };
        if (invalidFields is not null)
        {
            body["invalid_fields"] = invalidFields;
        }

        return Results.Content(body.ToJsonString(), "application/problem+json", null, status);
    }
}
