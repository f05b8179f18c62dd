using System.Net;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>Waits long enough for a test to publish the outcome while /dev/run waits for it.</summary>
public sealed class DevRunFixture : IngestFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Ingest:DevRun:WaitSeconds"] = "30" };
}

/// <summary>POST /dev/run: the spec's JSON contract, request and response shapes as written there.</summary>
[Trait("Category", "Stack")]
public sealed class DevRunTests(DevRunFixture fixture) : IClassFixture<DevRunFixture>
{
    private const string Prompt = "Transform this person into a medieval knight in a castle setting, wearing armor and holding a sword.";

    private static readonly byte[] Png = TestMedia.Png(5000).ToArray();

    private static object SpecRequest(object? image, string? prompt = Prompt, string? model = "black-forest-labs/flux-dev", object? outputCount = null) => new
    {
        provider = "REPLICATE",
        task = "IMAGE_GENERATION",
        payload = new Dictionary<string, object?>
        {
            ["image"] = image,
            ["prompt"] = prompt,
            ["model"] = model,
            ["output_count"] = outputCount ?? 1,
            ["aspect_ratio"] = "16:9",
        },
    };

    [Fact]
    public async Task The_spec_example_request_answers_the_spec_success_shape_once_the_outputs_are_archived()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, answer) = StartSpecRequest(client);

        // Play processor and archiver once the request is on the topic.
        var requested = await WaitForRequestAsync(id);
        Assert.Equal(TransformationTask.ImageTransform, requested.Task);
        Assert.Equal(Prompt, requested.Prompt);
        Assert.Equal(Prompt, requested.SceneDescription);
        Assert.Equal(Provider.Replicate, requested.Provider);
        Assert.Equal("16:9", requested.AspectRatio);
        Assert.Equal(Png, await fixture.ReadObjectAsync(requested.Media!.Uri));
        var outputs = await Outcomes.SucceedAsync(fixture, requested);

        using var response = await answer;
        var body = await response.ExpectAsync(HttpStatusCode.OK);

        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(id, body.RequestId());
        var result = body.GetProperty("result");
        Assert.Equal("REPLICATE", result.GetProperty("provider").GetString());
        Assert.Equal("IMAGE_GENERATION", result.GetProperty("task").GetString());
        Assert.True(result.GetProperty("success").GetBoolean());
        var data = result.GetProperty("data");
        Assert.Equal(87.3, data.GetProperty("processing_time").GetDouble());
        Assert.Equal("black-forest-labs/flux-dev", data.GetProperty("model_used").GetString());
        Assert.Equal(1, data.GetProperty("variation_count").GetInt32());
        Assert.False(data.TryGetProperty("warnings", out _));
        var url = Assert.Single(data.GetProperty("transformed_media_urls").EnumerateArray()).GetString()!;
        // The link is a presigned URL of the archived object: fetch it.
        using var http = new HttpClient();
        Assert.Equal(outputs[0], await http.GetByteArrayAsync(url));
    }

    [Theory]
    [InlineData(ErrorCode.ProviderError, 400, "REPLICATE_ERROR", UserMessages.TransformationFailed)]
    [InlineData(ErrorCode.InputValidationError, 400, "REPLICATE_ERROR", UserMessages.TransformationFailed)]
    [InlineData(ErrorCode.QuotaExceededError, 400, "REPLICATE_ERROR", UserMessages.TransformationFailed)]
    [InlineData(ErrorCode.TimeoutError, 504, "TIMEOUT", UserMessages.Timeout)]
    public async Task A_failure_within_the_wait_answers_the_spec_error_shape(ErrorCode code, int status, string apiCode, string message)
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, answer) = StartSpecRequest(client);

        var requested = await WaitForRequestAsync(id);
        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(requested, code, "provider said no",
            details: [("originalError", "Model prediction failed: Invalid input image"), ("timeout_seconds", "180"), ("canceled", "true"), ("jobId", "12345")]));

        using var response = await answer;
        var body = await response.ExpectAsync((HttpStatusCode)status);
        ValidationTests.AssertError(body, new ValidationTests.Refusal(status, apiCode, message, null));
        var details = body.Error().GetProperty("details");
        Assert.Equal("Model prediction failed: Invalid input image", details.GetProperty("originalError").GetString());
        Assert.Equal("REPLICATE", details.GetProperty("provider").GetString());
        // Typed as the spec's examples show ("timeout_seconds": 60); an id stays a string whatever it looks like.
        Assert.Equal(JsonValueKind.Number, details.GetProperty("timeout_seconds").ValueKind);
        Assert.Equal(180, details.GetProperty("timeout_seconds").GetInt32());
        Assert.True(details.GetProperty("canceled").GetBoolean());
        Assert.Equal("12345", details.GetProperty("jobId").GetString());
    }

    [Fact]
    public async Task Without_an_outcome_within_the_wait_it_answers_202_with_the_request_id()
    {
        await using var host = await fixture.StartHostAsync(new Dictionary<string, string?> { ["Ingest:DevRun:WaitSeconds"] = "1" });
        using var client = host.Client(TestTenants.Acme);

        using var response = await client.PostAsync("/dev/run", Forms.Json(SpecRequest("data:image/png;base64," + Convert.ToBase64String(Png))));

        var body = await response.ExpectAsync(HttpStatusCode.Accepted);
        var id = body.RequestId();
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal($"/requests/{id}", response.Headers.Location?.ToString());
        Assert.Contains(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == id);
    }

    public static TheoryData<string, string, int, string, string?> Refusals => new()
    {
        { "not JSON", "{\"provider\": ", 400, UserMessages.InvalidJson, null },
        { "JSON array", "[1, 2]", 400, UserMessages.InvalidJson, null },
        { "payload not an object", """{"provider":"REPLICATE","task":"IMAGE_GENERATION","payload":"x"}""", 400, "Invalid value for field: payload", "payload" },
        { "prompt missing", Json(SpecRequest(Convert.ToBase64String(Png), prompt: null)), 400, "Missing required field: prompt", "prompt" },
        { "prompt blank", Json(SpecRequest(Convert.ToBase64String(Png), prompt: "   ")), 400, "Missing required field: prompt", "prompt" },
        { "prompt too short", Json(SpecRequest(Convert.ToBase64String(Png), prompt: "knight")), 400, UserMessages.TextValidation, "prompt" },
        { "prompt not a string", """{"payload":{"image":"x","prompt":42}}""", 400, UserMessages.TextValidation, "prompt" },
        { "prompt over 2000 characters", Json(SpecRequest(Convert.ToBase64String(Png), prompt: new string('p', 2001))), 400, UserMessages.TextValidation, "prompt" },
        { "image missing", Json(SpecRequest(null)), 400, "Missing required field: image", "image" },
        { "image empty", Json(SpecRequest("")), 400, "Missing required field: image", "image" },
        { "image not base64", Json(SpecRequest("this is not base64!")), 400, UserMessages.MediaUpload, "image" },
        { "image a number", Json(SpecRequest(12345)), 400, UserMessages.MediaUpload, "image" },
        { "image base64 of text", Json(SpecRequest(Convert.ToBase64String("hello world"u8.ToArray()))), 400, UserMessages.UnsupportedFormat, "image" },
        { "image data URI not base64", Json(SpecRequest("data:image/png,abc")), 400, UserMessages.MediaUpload, "image" },
        { "image over 16 MiB", Json(SpecRequest(Convert.ToBase64String(TestMedia.Png(16 * 1024 * 1024 + 1).ToArray()))), 413, UserMessages.MediaUpload, "image" },
        { "model not the fixed one", Json(SpecRequest(Convert.ToBase64String(Png), model: "stability-ai/sdxl")), 400, "Invalid value for field: model", "model" },
        { "output_count 6", Json(SpecRequest(Convert.ToBase64String(Png), outputCount: 6)), 400, "Invalid value for field: output_count", "output_count" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refuses_what_the_contract_does_not_allow(string name, string json, int status, string message, string? field)
    {
        using var client = fixture.Host.Client(TestTenants.Acme);

        using var response = await client.PostAsync("/dev/run", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        ValidationTests.AssertError(await response.ExpectAsync((HttpStatusCode)status), new ValidationTests.Refusal(status, ApiErrors.InvalidInput, message, field));
        Assert.NotEmpty(name);
    }

    [Fact]
    public async Task A_body_over_the_json_limit_is_refused_before_it_is_read()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/dev/run") { Content = Forms.Json(SpecRequest(new string('A', 25 * 1024 * 1024))) };
        request.Headers.ExpectContinue = true;

        using var response = await client.SendAsync(request);

        var body = await response.ExpectAsync(HttpStatusCode.RequestEntityTooLarge);
        ValidationTests.AssertError(body, new ValidationTests.Refusal(413, ApiErrors.InvalidInput, UserMessages.MediaUpload, "image"));
        Assert.Equal(24 * 1024 * 1024, body.Error().GetProperty("details").GetProperty("max_bytes").GetInt64());
    }

    [Fact]
    public async Task A_multipart_body_is_refused_with_415()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var response = await client.PostAsync("/dev/run", Forms.ValidImage());

        ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.UnsupportedMediaType),
            new ValidationTests.Refusal(415, ApiErrors.InvalidInput, UserMessages.UnsupportedContentType, null));
    }

    [Fact]
    public async Task An_image_url_on_loopback_is_fetched_only_from_an_allowed_origin_and_never_from_the_projects_own_S3()
    {
        var jpeg = TestMedia.Jpeg(40_000).ToArray();
        await using var media = await MediaServer.StartAsync(new Dictionary<string, byte[]> { ["face.jpg"] = jpeg });
        using var client = fixture.Host.Client(TestTenants.Acme);

        // Loopback is where a server-side request forgery would go: refused by default.
        using var refused = await client.PostAsync("/dev/run", Forms.Json(SpecRequest(media.Url("face.jpg"))));
        var error = (await refused.ExpectAsync(HttpStatusCode.BadRequest)).Error();
        Assert.Equal(UserMessages.MediaUpload, error.GetProperty("message").GetString());
        Assert.Equal("The media URL is not one Ingest fetches: 127.0.0.1 is not a public address (loopback).",
            error.GetProperty("details").GetProperty("reason").GetString());

        // Another tenant's photo in the project's S3, named by its plain URL (the development S3 checks no signatures).
        // Even with the S3 endpoint's own origin among the allowed loopback origins, Ingest does not fetch it.
        var photo = TestMedia.Jpeg(30_000).ToArray();
        var foreign = await fixture.Store.PutAsync(fixture.Store.Options.InputsBucket, $"{TestTenants.Globex.TenantId}/{Guid.NewGuid()}/input.jpg",
            new MemoryStream(photo), "image/jpeg", null, CancellationToken.None);
        var s3 = new Uri(fixture.Stack.S3.Options.ServiceUrl!);
        await using var permissive = await fixture.StartHostAsync(new Dictionary<string, string?>
        {
            ["Ingest:MediaFetch:LoopbackOrigins:0"] = media.OriginText,
            ["Ingest:MediaFetch:LoopbackOrigins:1"] = s3.GetLeftPart(UriPartial.Authority),
            ["Ingest:DevRun:WaitSeconds"] = "0",
        });
        using var allowed = permissive.Client(TestTenants.Acme);
        using var accepted = await allowed.PostAsync("/dev/run", Forms.Json(SpecRequest(media.Url("face.jpg"))));
        var id = (await accepted.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
        var e = Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id);
        Assert.Equal("image/jpeg", e.Media!.ContentType);
        Assert.Equal(jpeg, await fixture.ReadObjectAsync(e.Media.Uri));

        using var missing = await allowed.PostAsync("/dev/run", Forms.Json(SpecRequest(media.Url("nothing.jpg"))));
        Assert.Equal("Fetching the media URL answered HTTP 404.",
            (await missing.ExpectAsync(HttpStatusCode.BadRequest)).Error().GetProperty("details").GetProperty("reason").GetString());

        using var own = await allowed.PostAsync("/dev/run", Forms.Json(SpecRequest(new Uri(s3, $"{foreign.Bucket}/{foreign.Key}").ToString())));
        var ownError = (await own.ExpectAsync(HttpStatusCode.BadRequest)).Error();
        Assert.Equal($"The media URL is not one Ingest fetches: {s3.Host}:{s3.Port} is this service's own storage.",
            ownError.GetProperty("details").GetProperty("reason").GetString());
        var photoSha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));
        Assert.DoesNotContain((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.Media?.Sha256 == photoSha256);
    }

    [Fact]
    public async Task Generate_also_takes_the_spec_inputs_as_json_with_base64_media()
    {
        using var client = fixture.Host.Client(TestTenants.Globex);

        using var response = await client.PostAsync("/generate/cinematic", Forms.Json(new
        {
            media = Convert.ToBase64String(Png),
            scene_description = Forms.ValidDescription,
            output_count = 2,
            style_preset = "noir",
        }));

        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
        var e = Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id);
        Assert.Equal(2, e.OutputCount);
        Assert.Equal("noir", e.StylePreset);
        Assert.Null(e.Prompt);
        Assert.Equal(Png, await fixture.ReadObjectAsync(e.Media!.Uri));
    }

    /// <summary>Sends the spec's example request (with an Idempotency-Key, so its id is known before the answer comes).</summary>
    private static (Guid Id, Task<HttpResponseMessage> Answer) StartSpecRequest(HttpClient client)
    {
        var key = Guid.NewGuid().ToString("N");
        var request = new HttpRequestMessage(HttpMethod.Post, "/dev/run") { Content = Forms.Json(SpecRequest(Convert.ToBase64String(Png))) };
        request.Headers.Add("Idempotency-Key", key);
        return (RequestIds.FromIdempotencyKey(TestTenants.Acme.TenantId, key), client.SendAsync(request));
    }

    private async Task<TransformationRequested> WaitForRequestAsync(Guid id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(25);
        while (DateTime.UtcNow < deadline)
        {
            if ((await fixture.RequestedAsync(0)).Select(r => r.Message.Value).FirstOrDefault(r => r.RequestId == id) is { } found)
            {
                return found;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Request {id} was not published.");
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);
}
