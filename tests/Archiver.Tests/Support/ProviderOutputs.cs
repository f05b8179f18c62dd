using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Providers.Simulators.Core;

namespace CinematicSwitch.Archiver.Tests.Support;

/// <summary>
/// Real provider outputs for the tests: jobs created through the simulators' own APIs (Replicate predictions, Runway
/// image-to-video tasks), whose output URLs serve real media over loopback HTTP.
/// </summary>
public sealed class ProviderOutputs(ProviderSimulators simulators)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The origins the archiver must be told about (Download:LoopbackOrigins) to fetch from the simulators.</summary>
    public IEnumerable<string> Origins => simulators.All.Select(s => s.Origin.GetLeftPart(UriPartial.Authority));

    /// <summary>A flux-dev prediction with <paramref name="count"/> images, waited for with "Prefer: wait".</summary>
    public async Task<IReadOnlyList<string>> ReplicateImagesAsync(int count, string format = "webp")
    {
        var replicate = simulators.Replicate;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(replicate.BaseUrl, "v1/models/black-forest-labs/flux-dev/predictions"))
        {
            Content = JsonContent.Create(new
            {
                input = new { prompt = "A medieval knight in a castle", num_outputs = count, output_format = format, aspect_ratio = "16:9" },
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", replicate.ApiKey);
        request.Headers.Add("Prefer", "wait=30");
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var prediction = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("succeeded", prediction!["status"]!.GetValue<string>());
        return prediction["output"]!.AsArray().Select(o => o!.GetValue<string>()).ToList();
    }

    /// <summary>A Runway gen4.5 image-to-video task (a real H.264 MP4), polled until it succeeds.</summary>
    public Task<string> RunwayVideoAsync(int seconds = 5) => RunwayTaskAsync(new
    {
        model = "gen4.5",
        promptImage = "https://example.com/first-frame.png",
        promptText = "A 1920s flapper in a speakeasy",
        ratio = "1280:720",
        duration = seconds,
    });

    /// <summary>A Runway veo3.1_fast clip with the same image as first and last keyframe: it ends on the frame it starts with.</summary>
    public Task<string> RunwayLoopClipAsync(int seconds) => RunwayTaskAsync(new
    {
        model = "veo3.1_fast",
        promptImage = new[]
        {
            new { uri = "https://example.com/keyframe.png", position = "first" },
            new { uri = "https://example.com/keyframe.png", position = "last" },
        },
        promptText = "A castle gate opening at dawn",
        ratio = "1280:720",
        duration = seconds,
        audio = false,
    });

    private async Task<string> RunwayTaskAsync(object body)
    {
        var runway = simulators.Runway;
        using var create = RunwayRequest(runway, HttpMethod.Post, "v1/image_to_video");
        create.Content = JsonContent.Create(body);
        using var created = await Http.SendAsync(create);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var poll = RunwayRequest(runway, HttpMethod.Get, $"v1/tasks/{id}");
            using var answer = await Http.SendAsync(poll);
            var task = await answer.Content.ReadFromJsonAsync<JsonObject>();
            if (task!["status"]!.GetValue<string>() == "SUCCEEDED")
            {
                return task["output"]!.AsArray()[0]!.GetValue<string>();
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Runway simulator task {id} did not succeed.");
    }

    /// <summary>The bytes a provider URL serves, fetched directly (what the archive must hold).</summary>
    public static Task<byte[]> BytesAsync(string url) => Http.GetByteArrayAsync(url);

    private static HttpRequestMessage RunwayRequest(ProviderSimulator runway, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(runway.BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", runway.ApiKey);
        request.Headers.Add("X-Runway-Version", RunwaySimulator.ApiVersion);
        return request;
    }
}
