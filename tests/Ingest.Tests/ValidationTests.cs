using System.Net;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Every rule of the spec's "Validation &amp; Safety" section and every message of its "Error States", through real HTTP
/// (multipart, as a browser sends it): the status, the error JSON and its exact message, and that nothing was published
/// or left in S3 for a refused request.
/// </summary>
[Trait("Category", "Stack")]
public sealed class ValidationTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private const long Mib = 1024 * 1024;

    /// <summary>A refusal: HTTP status, code, the exact message, and the field the details name.</summary>
    public sealed record Refusal(int Status, string Code, string Message, string? Field);

    private static Refusal Invalid(string message, string? field, int status = 400) => new(status, ApiErrors.InvalidInput, message, field);

    private static readonly string Ok = Forms.ValidDescription;

    /// <summary>Each case: the form (text fields, then media) and what must come back (null: accepted).</summary>
    private static readonly Dictionary<string, (Func<MultipartFormDataContent> Form, Refusal? Expected)> Cases = new()
    {
        // media: presence, type, content, size
        ["media missing"] = (() => Forms.Multipart(null, fields: ("scene_description", Ok)), Invalid("Missing required field: media", "media")),
        ["media sent as a text field"] = (() => Forms.Multipart(null, fields: [("scene_description", Ok), ("media", "not a file")]),
            Invalid(UserMessages.MediaUpload, "media")),
        ["media file left empty by the browser"] = (() => Forms.Multipart(null, fields: [("scene_description", Ok), ("media", "")]),
            Invalid("Missing required field: media", "media")),
        ["media of 0 bytes"] = (() => Forms.Multipart(new ByteArrayContent([]), "empty.png", ("scene_description", Ok)), Invalid(UserMessages.MediaUpload, "media")),
        ["GIF image"] = (() => Forms.Multipart(TestMedia.Other("GIF89a"u8.ToArray(), 5000).ToContent(), "anim.gif", ("scene_description", Ok)),
            Invalid(UserMessages.UnsupportedFormat, "media")),
        ["text file named .jpg"] = (() => Forms.Multipart(new StringContent("just some text, not a photo"), "photo.jpg", ("scene_description", Ok)),
            Invalid(UserMessages.UnsupportedFormat, "media")),
        ["PDF named .png"] = (() => Forms.Multipart(TestMedia.Other("%PDF-1.7"u8.ToArray(), 5000).ToContent(), "photo.png", ("scene_description", Ok)),
            Invalid(UserMessages.UnsupportedFormat, "media")),
        ["HEIC photo (ISO file, not video)"] = (() => Forms.Multipart(TestMedia.Iso("heic", 5000).ToContent(), "photo.heic", ("scene_description", Ok)),
            Invalid(UserMessages.UnsupportedFormat, "media")),
        ["M4A audio (ISO file, not video)"] = (() => Forms.Multipart(TestMedia.Iso("M4A ", 5000).ToContent(), "song.m4a", ("scene_description", Ok)),
            Invalid(UserMessages.UnsupportedFormat, "media")),
        ["image of 16 MiB + 1 byte"] = (() => Forms.Multipart(TestMedia.Png(16 * Mib + 1).ToContent(), "big.png", ("scene_description", Ok)),
            Invalid(UserMessages.MediaUpload, "media", 413)),
        ["image of exactly 16 MiB"] = (() => Forms.Multipart(TestMedia.Png(16 * Mib).ToContent(), "big.png", ("scene_description", Ok)), null),
        ["JPEG of 1 byte past its header"] = (() => Forms.Multipart(TestMedia.Jpeg(13).ToContent(), "tiny.jpg", ("scene_description", Ok)), null),
        ["MOV video"] = (() => Forms.Multipart(TestMedia.QuickTime(50_000).ToContent(), "clip.mov", ("scene_description", Ok)), null),
        ["two media files"] = (() => WithSecondFile("media"), Invalid(UserMessages.MediaUpload, "media")),
        ["a file in another field"] = (() => WithSecondFile("avatar"), Invalid("Invalid value for field: avatar", "avatar")),

        // scene_description: required, string, 10-2000 characters after trim
        ["description missing"] = (() => Forms.Multipart(TestMedia.Png(2000).ToContent(), "p.png"),
            Invalid("Missing required field: scene_description", "scene_description")),
        ["description empty"] = (() => Image(("scene_description", "")), Invalid("Missing required field: scene_description", "scene_description")),
        ["description only whitespace"] = (() => Image(("scene_description", " \t\r\n ")),
            Invalid("Missing required field: scene_description", "scene_description")),
        ["description of 9 characters"] = (() => Image(("scene_description", "123456789")), Invalid(UserMessages.TextValidation, "scene_description")),
        ["description of 9 characters padded to 30"] = (() => Image(("scene_description", "          123456789           ")),
            Invalid(UserMessages.TextValidation, "scene_description")),
        ["description of 10 characters"] = (() => Image(("scene_description", "1234567890")), null),
        ["description of 2000 characters"] = (() => Image(("scene_description", new string('x', 2000))), null),
        ["description of 2000 characters with spaces around"] = (() => Image(("scene_description", "   " + new string('x', 2000) + "\n")), null),
        ["description of 2001 characters"] = (() => Image(("scene_description", new string('x', 2001))), Invalid(UserMessages.TextValidation, "scene_description")),
        ["description of 100 KB"] = (() => Image(("scene_description", new string('x', 100_000))), Invalid(UserMessages.TextValidation, "scene_description")),

        // output_count: 1-5
        ["output_count 0"] = (() => Image(("scene_description", Ok), ("output_count", "0")), Invalid("Invalid value for field: output_count", "output_count")),
        ["output_count 6"] = (() => Image(("scene_description", Ok), ("output_count", "6")), Invalid("Invalid value for field: output_count", "output_count")),
        ["output_count 2.5"] = (() => Image(("scene_description", Ok), ("output_count", "2.5")), Invalid("Invalid value for field: output_count", "output_count")),
        ["output_count two"] = (() => Image(("scene_description", Ok), ("output_count", "two")), Invalid("Invalid value for field: output_count", "output_count")),
        ["output_count 1"] = (() => Image(("scene_description", Ok), ("output_count", "1")), null),
        ["output_count 5"] = (() => Image(("scene_description", Ok), ("output_count", "5")), null),

        // aspect_ratio: syntax, then what the chosen provider offers
        ["aspect_ratio banana"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "banana")), Invalid("Invalid value for field: aspect_ratio", "aspect_ratio")),
        ["aspect_ratio 0:1"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "0:1")), Invalid("Invalid value for field: aspect_ratio", "aspect_ratio")),
        ["aspect_ratio 7:3, which flux-dev does not offer"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "7:3")),
            Invalid("Invalid value for field: aspect_ratio", "aspect_ratio")),
        ["aspect_ratio 16:9 for an image"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "16:9")), null),
        ["aspect_ratio 9:16 for an image"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "9:16")), null),
        ["aspect_ratio original"] = (() => Image(("scene_description", Ok), ("aspect_ratio", "Original")), null),
        ["aspect_ratio 16:9 for a video-to-video (aleph2 expands the input to it)"] = (
            () => Forms.Multipart(TestMedia.Mp4(50_000).ToContent(), "clip.mp4", ("scene_description", Ok), ("aspect_ratio", "16:9")), null),
        ["aspect_ratio 5:4 for a video-to-video, which aleph2 does not offer"] = (
            () => Forms.Multipart(TestMedia.Mp4(50_000).ToContent(), "clip.mp4", ("scene_description", Ok), ("aspect_ratio", "5:4")),
            Invalid("Invalid value for field: aspect_ratio", "aspect_ratio")),
        ["aspect_ratio 1:1 for image-to-video"] = (() => Image(("scene_description", Ok), ("task", "image_to_video"), ("aspect_ratio", "1:1")), null),
        ["aspect_ratio 3:2 for image-to-video"] = (() => Image(("scene_description", Ok), ("task", "image_to_video"), ("aspect_ratio", "3:2")),
            Invalid("Invalid value for field: aspect_ratio", "aspect_ratio")),

        // style_preset, task, provider, video options
        ["style_preset unknown"] = (() => Image(("scene_description", Ok), ("style_preset", "steampunk")),
            Invalid("Invalid value for field: style_preset", "style_preset")),
        ["style_preset vintage"] = (() => Image(("scene_description", Ok), ("style_preset", "vintage")), null),
        ["task unknown"] = (() => Image(("scene_description", Ok), ("task", "dance")), Invalid("Invalid value for field: task", "task")),
        ["provider unknown"] = (() => Image(("scene_description", Ok), ("provider", "openai")), Invalid("Invalid value for field: provider", "provider")),
        ["video options on an image transformation"] = (() => Image(("scene_description", Ok), ("duration_seconds", "5")),
            Invalid("Invalid value for field: duration_seconds", "duration_seconds")),
        ["duration_seconds 0"] = (() => Image(("scene_description", Ok), ("task", "image_to_video"), ("duration_seconds", "0")),
            Invalid("Invalid value for field: duration_seconds", "duration_seconds")),
        ["seamless_loop maybe"] = (() => Image(("scene_description", Ok), ("task", "image_to_video"), ("seamless_loop", "maybe")),
            Invalid("Invalid value for field: seamless_loop", "seamless_loop")),
        ["image-to-video loop of 4 s"] = (() => Image(("scene_description", Ok), ("task", "image_to_video"), ("duration_seconds", "4"),
            ("seamless_loop", "on"), ("aspect_ratio", "16:9")), null),
        ["image-to-video with a video"] = (
            () => Forms.Multipart(TestMedia.Mp4(50_000).ToContent(), "clip.mp4", ("scene_description", Ok), ("task", "image_to_video")),
            Invalid("Image-to-video needs an input image.", "request")),
        ["text-to-video without media"] = (() => Forms.Multipart(null, fields: [("scene_description", Ok), ("task", "text_to_video"), ("aspect_ratio", "16:9")]),
            null),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Multipart_request(string name)
    {
        var (form, expected) = Cases[name];
        var key = $"validation-{Guid.NewGuid():N}";
        var id = RequestIds.FromIdempotencyKey(TestTenants.Acme.TenantId, key);
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = form() };
        request.Headers.Add("Idempotency-Key", key);

        using var response = await client.SendAsync(request);

        if (expected is null)
        {
            Assert.Equal(id, (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId());
            Assert.Contains(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == id);
            return;
        }

        var body = await response.ExpectAsync((HttpStatusCode)expected.Status);
        AssertError(body, expected);
        // Nothing published, nothing left behind.
        Assert.DoesNotContain(await fixture.RequestedAsync(0), r => r.Message.Value.RequestId == id);
        Assert.Empty(await fixture.InputsAsync($"acme/{id}/"));
    }

    [Fact]
    public async Task A_missing_description_is_answered_exactly_as_the_spec_example()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var response = await client.PostAsync("/generate/cinematic", Forms.Multipart(TestMedia.Png(100).ToContent(), "p.png"));

        var body = await response.ExpectAsync(HttpStatusCode.BadRequest);

        const string specExample = """
            {
              "success": false,
              "error": {
                "code": "INVALID_INPUT",
                "message": "Missing required field: scene_description",
                "details": {
                  "field": "scene_description",
                  "reason": "Scene description is required and must be non-empty"
                },
                "statusCode": 400
              }
            }
            """;
        Assert.Equal(Canonical(JsonDocument.Parse(specExample).RootElement), Canonical(body));
    }

    [Fact]
    public async Task A_body_that_is_neither_multipart_nor_json_is_refused_with_415()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var response = await client.PostAsync("/generate/cinematic", new StringContent("scene_description=knight"));

        AssertError(await response.ExpectAsync(HttpStatusCode.UnsupportedMediaType),
            new Refusal(415, ApiErrors.InvalidInput, UserMessages.UnsupportedContentType, null));
    }

    internal static void AssertError(JsonElement body, Refusal expected)
    {
        Assert.False(body.GetProperty("success").GetBoolean());
        var error = body.Error();
        Assert.Equal(expected.Code, error.GetProperty("code").GetString());
        Assert.Equal(expected.Message, error.GetProperty("message").GetString());
        Assert.Equal(expected.Status, error.GetProperty("statusCode").GetInt32());
        Assert.Equal(JsonValueKind.Object, error.GetProperty("details").ValueKind);
        if (expected.Field is not null)
        {
            Assert.Equal(expected.Field, error.GetProperty("details").GetProperty("field").GetString());
        }
    }

    private static MultipartFormDataContent Image(params (string Name, string Value)[] fields) =>
        Forms.Multipart(TestMedia.Png(3000).ToContent("image/png"), "photo.png", fields);

    private static MultipartFormDataContent WithSecondFile(string field)
    {
        var form = Image(("scene_description", Ok));
        form.Add(TestMedia.Jpeg(3000).ToContent(), field, "second.jpg");
        return form;
    }

    private static string Canonical(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"\"{p.Name}\":{Canonical(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Canonical)) + "]",
        _ => element.GetRawText(),
    };
}
