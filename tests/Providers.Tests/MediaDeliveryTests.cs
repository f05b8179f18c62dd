using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// Media within each API's rules (https://docs.dev.runwayml.com/assets/inputs, https://replicate.com/docs/topics/predictions/input-files):
/// URLs only where the provider can fetch them, data URIs only under each cap, the providers' upload APIs above; and the
/// simulators refuse what the real APIs refuse.
/// </summary>
[Trait("Category", "Stack")]
public sealed class MediaDeliveryTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private ProviderSimulators Simulators => fixture.Simulators;

    /// <summary>A PNG of about <paramref name="bytes"/> bytes (valid header, incompressible body): sizes beyond a cap.</summary>
    private static string LargePng(int bytes)
    {
        var png = MediaStore.Png(64, 48);
        var noise = new byte[bytes];
        Random.Shared.NextBytes(noise);
        png.CopyTo(noise, 0);
        return "data:image/png;base64," + Convert.ToBase64String(noise);
    }

    [Fact]
    public async Task An_image_over_Runways_5_MB_data_URI_cap_goes_through_an_ephemeral_upload()
    {
        await using var harness = new Harness(Simulators);
        var request = Requests.ImageToVideo() with { Media = new MediaInput(LargePng(6 * 1024 * 1024), "image/png", false, 64, 48) };

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var uri = Simulators.Runway.Ledger.Jobs.Single().Input["promptImage"]!.GetValue<string>();
        Assert.StartsWith("runway://uploads/", uri, StringComparison.Ordinal);
        Assert.Contains(Simulators.Runway.Requests, r => r.Method == "POST" && r.Path == "/v1/uploads");
        Assert.Equal(6 * 1024 * 1024, Simulators.Runway.Jobs.Single().InputBytes);
    }

    [Fact]
    public async Task A_link_Runway_could_not_fetch_goes_as_bytes_and_a_public_https_link_as_itself()
    {
        await using var harness = new Harness(Simulators);
        // The simulator's own origin is http://127.0.0.1: Runway refuses http and IP hosts, so the adapter hands over the bytes.
        var local = new Uri(Simulators.Replicate.Origin, "media/image/64/48/png/input.png").ToString();
        var unreachable = await harness.RunAsync(Requests.ImageToVideo() with { Media = new MediaInput(local, "image/png", false, 64, 48) });
        var presigned = await harness.RunAsync(Requests.ImageToVideo() with
        {
            Media = new MediaInput("https://bucket.s3.example.com/input.png?X-Amz-Signature=abc", "image/png", false, 64, 48, SizeBytes: 3_000_000),
        });

        Assert.True(unreachable.Succeeded, unreachable.Failure?.Message);
        Assert.True(presigned.Succeeded, presigned.Failure?.Message);
        var inputs = Simulators.Runway.Ledger.Jobs.Select(j => j.Input["promptImage"]!.GetValue<string>()).ToList();
        Assert.StartsWith("data:image/png;base64,", inputs[0], StringComparison.Ordinal);
        Assert.Equal("https://bucket.s3.example.com/input.png?X-Amz-Signature=abc", inputs[1]);
    }

    [Fact]
    public async Task Media_the_adapter_reads_itself_goes_through_the_SSRF_guard()
    {
        // A server on loopback that is not one of the allowed origins stands for the inside network.
        await using var inside = await LoopbackServer.StartAsync(context => context.Response.Body.WriteAsync(MediaStore.Png(64, 48)).AsTask());
        await using var harness = new Harness(Simulators);

        var outcome = await harness.RunAsync(Requests.ImageToVideo() with { Media = new MediaInput(inside.Url("input.png"), "image/png", false, 64, 48) });

        Assert.False(outcome.Succeeded);
        Assert.Equal(ProviderErrorCode.InvalidInput, outcome.Failure!.Code);
        Assert.Equal("runway.input-refused", outcome.Failure.Details["error"]);
        Assert.Contains("127.0.0.1 is not a public address (loopback)", outcome.Failure.Details["originalError"], StringComparison.Ordinal);
        Assert.Equal(0, inside.Requests);
        Assert.Empty(Simulators.Runway.Ledger.Jobs);
    }

    [Fact]
    public async Task An_image_over_Replicates_data_URI_recommendation_goes_through_its_files_API_and_is_deleted_after_use()
    {
        await using var harness = new Harness(Simulators);
        var request = Requests.Image(ratio: "original") with { Media = new MediaInput(LargePng(400 * 1024), "image/png", false) };

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var image = Simulators.Replicate.Ledger.Jobs.Single().Input["image"]!.GetValue<string>();
        Assert.StartsWith(new Uri(Simulators.Replicate.BaseUrl, "v1/files/").ToString(), image, StringComparison.Ordinal);
        Assert.Contains(Simulators.Replicate.Requests, r => r.Method == "POST" && r.Path == "/v1/files" && r.Status == 201);
        Assert.Contains(Simulators.Replicate.Requests, r => r.Method == "DELETE" && r.Path.StartsWith("/v1/files/", StringComparison.Ordinal) && r.Status == 204);
        Assert.Empty(Simulators.Replicate.Assets.All);
    }

    [Fact]
    public async Task A_small_image_goes_to_Replicate_inline()
    {
        await using var harness = new Harness(Simulators);

        var outcome = await harness.RunAsync(Requests.Image(ratio: "original"));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(Requests.PngDataUri, Simulators.Replicate.Ledger.Jobs.Single().Input["image"]!.GetValue<string>());
        Assert.DoesNotContain(Simulators.Replicate.Requests, r => r.Path == "/v1/files");
    }

    /// <summary>
    /// flux-dev ignores aspect_ratio with an input image (its schema: "The aspect ratio of your output will match this image"):
    /// the 4:3 photo is centre-cropped to the requested ratio first, so the output has it.
    /// </summary>
    [Theory]
    [InlineData("16:9", 16.0 / 9)]
    [InlineData("9:16", 9.0 / 16)]
    [InlineData("1:1", 1.0)]
    public async Task A_requested_ratio_is_honoured_by_cropping_the_input_flux_dev_follows(string ratio, double expected)
    {
        await using var harness = new Harness(Simulators);

        var outcome = await harness.RunAsync(Requests.Image(ratio: ratio));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var input = Simulators.Replicate.Ledger.Jobs.Single().Input;
        Assert.Null(input["aspect_ratio"]);
        var sent = Assets.ImageSize(Assets.DataUri(input["image"]!.GetValue<string>())!.Value.Bytes)!.Value;
        // Even pixel sizes of a 64×48 photo: within a pixel of the ratio.
        Assert.Equal(expected, (double)sent.Width / sent.Height, 0.05);
        var output = Assets.ImageSize(await Media.DownloadAsync(outcome.Result!.Outputs[0].Url))!.Value;
        Assert.Equal(expected, (double)output.Width / output.Height, 0.05);
    }

    [Fact]
    public async Task Media_over_a_providers_limit_is_refused_before_any_call()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Routing:VideoProviders:0"] = "Leonardo",
            ["Providers:Leonardo:MaxInitImageBytes"] = "1000",
        });

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "original") with
        {
            Media = new MediaInput("https://bucket.s3.example.com/input.png", "image/png", false, 64, 48, SizeBytes: 5000),
        });

        Assert.Equal(ProviderErrorCode.InvalidInput, outcome.Failure!.Code);
        Assert.Contains("1000 bytes", outcome.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(Simulators.Leonardo.Requests);
    }

    /// <summary>The strict simulator refuses what Runway refuses (https://docs.dev.runwayml.com/errors/troubleshooting).</summary>
    [Theory]
    [InlineData("http://media.example.com/input.png", "Only HTTPS URLs are allowed.")]
    [InlineData("https://203.0.113.7/input.png", "URLs must be hosted on a domain.")]
    [InlineData("http://127.0.0.1:9/input.png", "Only HTTPS URLs are allowed.")]
    public async Task Runways_simulator_refuses_http_and_IP_hosts(string url, string message)
    {
        Simulators.Reset();

        using var response = await CreateRunwayTaskAsync(Simulators.Runway, url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(message, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["issues"]![0]!["message"]!.GetValue<string>());
        Assert.Empty(Simulators.Runway.Jobs);
    }

    [Fact]
    public async Task Runways_simulator_refuses_a_data_URI_over_5_MB()
    {
        Simulators.Reset();

        using var response = await CreateRunwayTaskAsync(Simulators.Runway, LargePng(4 * 1024 * 1024));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("too large", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>Stacks that serve media on 127.0.0.1 turn on the allowance; IP hosts elsewhere stay refused.</summary>
    [Fact]
    public async Task With_the_loopback_allowance_the_simulator_accepts_loopback_origins_only()
    {
        await using var lenient = await TestSimulators.StartAsync(new SimulatorOptions { AcceptLoopbackOrigins = true });

        using var loopback = await CreateRunwayTaskAsync(lenient.Runway, "http://127.0.0.1:9/input.png");
        using var remote = await CreateRunwayTaskAsync(lenient.Runway, "http://203.0.113.7/input.png");

        Assert.Equal(HttpStatusCode.OK, loopback.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, remote.StatusCode);
    }

    private static async Task<HttpResponseMessage> CreateRunwayTaskAsync(RunwaySimulator runway, string image)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(runway.BaseUrl, "v1/image_to_video"))
        {
            Content = new StringContent(new JsonObject
            {
                ["model"] = "gen4.5", ["promptImage"] = image, ["promptText"] = "a knight", ["ratio"] = "1280:720", ["duration"] = 5,
            }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", runway.ApiKey);
        request.Headers.Add("X-Runway-Version", RunwaySimulator.ApiVersion);
        return await http.SendAsync(request);
    }
}
