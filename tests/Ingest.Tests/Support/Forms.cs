using System.Net.Http.Headers;
using System.Text.Json;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>Request bodies as a browser or an upstream system sends them, and reading the answers.</summary>
internal static class Forms
{
    public const string ValidDescription = "a medieval knight in a castle, holding a sword";

    /// <summary>A multipart form: the text fields first (in order), then the media part when given.</summary>
    public static MultipartFormDataContent Multipart(HttpContent? media, string fileName = "upload.bin", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        if (media is not null)
        {
            form.Add(media, "media", fileName);
        }

        return form;
    }

    /// <summary>A valid request: a small PNG and a valid description, plus <paramref name="fields"/>.</summary>
    public static MultipartFormDataContent ValidImage(params (string Name, string Value)[] fields) =>
        Multipart(TestMedia.Png(4096).ToContent("image/png"), "photo.png", [("scene_description", ValidDescription), .. fields]);

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json").MediaType!);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode} answered non-JSON: {text}", e);
        }
    }

    /// <summary>The answer's JSON, after checking its status (the body is in the failure message when it differs).</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == status, $"Expected HTTP {(int)status}, got {(int)response.StatusCode}: {body}");
        return body;
    }

    public static Guid RequestId(this JsonElement body) => body.GetProperty("request_id").GetGuid();

    /// <summary>The spec's error object of an error answer.</summary>
    public static JsonElement Error(this JsonElement body) => body.GetProperty("error");
}
