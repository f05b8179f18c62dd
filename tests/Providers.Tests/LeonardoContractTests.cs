using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>The Leonardo adapter against the Leonardo simulator (chosen as the preferred provider), over loopback HTTP.</summary>
[Trait("Category", "Stack")]
public sealed class LeonardoContractTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private Simulators.LeonardoSimulator Leonardo => fixture.Simulators.Leonardo;

    [Fact]
    public async Task Image_to_video_uploads_the_image_then_generates_a_clip()
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.ImageToVideo(ratio: "original") with { PreferredProvider = Provider.Leonardo };

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(Provider.Leonardo, outcome.Result!.Provider);
        var job = Assert.Single(Leonardo.Jobs);
        Assert.Equal(MediaStore.Png(64, 48).Length, job.InputBytes);
        Assert.Equal(["/api/rest/v1/init-image", "/_storage/upload", "/api/rest/v1/generations-image-to-video"],
            Leonardo.Requests.Where(r => r.Method == "POST").Select(r => r.Path));
        var video = await Media.ProbeAsync(Assert.Single(outcome.Result.Outputs).Url);
        Assert.Equal("h264", video.Codec);
        Assert.Equal(25m, outcome.Result.Credits);
        Assert.Equal(CreditSource.Reported, outcome.Result.CreditSource);
    }

    [Fact]
    public async Task Text_to_video_asks_for_the_documented_portrait_size()
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.TextToVideo(ratio: "9:16") with { PreferredProvider = Provider.Leonardo };

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var input = Leonardo.Ledger.Jobs.Single().Input;
        Assert.Equal((480, 832), (input["width"]!.GetValue<int>(), input["height"]!.GetValue<int>()));
        var video = await Media.ProbeAsync(outcome.Result!.Outputs[0].Url);
        Assert.True(video.Height > video.Width);
    }

    [Theory]
    [InlineData(FaultKind.ContentPolicy, ProviderErrorCode.InputValidation)]
    [InlineData(FaultKind.InsufficientCredits, ProviderErrorCode.QuotaExceeded)]
    [InlineData(FaultKind.ServerError, ProviderErrorCode.ProviderError)]
    public async Task Failures_map_to_their_codes(FaultKind fault, ProviderErrorCode code)
    {
        await using var harness = new Harness(fixture.Simulators, new Dictionary<string, string?> { ["Providers:Routing:VideoProviders:0"] = "Leonardo" });
        Leonardo.Faults.Add(new FaultRule(fault));

        var outcome = await harness.RunAsync(Requests.TextToVideo());

        Assert.Equal(code, outcome.Failure!.Code);
        Assert.Equal(Provider.Leonardo, outcome.Failure.Provider);
        Assert.NotEmpty(outcome.Failure.Details["originalError"]);
    }

    [Fact]
    public async Task An_intent_whose_generation_exists_is_found_in_the_users_generations()
    {
        await using var first = new Harness(fixture.Simulators);
        var request = Requests.TextToVideo() with { PreferredProvider = Provider.Leonardo };
        var journal = new CrashAfterStarted();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Runner.RunAsync(request, [], journal, CancellationToken.None));

        await using var second = new Harness(fixture.Simulators, keepState: true);
        var outcome = await second.RunAsync(request, journal.Entries.Where(e => e.State == JobState.Starting).ToList());

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(Leonardo.Jobs);
        Assert.Equal([job.Id], outcome.Result!.ProviderJobIds);
        Assert.Contains(Leonardo.Requests, r => r.Path == $"/api/rest/v1/generations/user/{Simulators.LeonardoSimulator.UserId}");
    }

    [Fact]
    public async Task Loops_and_long_videos_are_beyond_Leonardo()
    {
        await using var harness = new Harness(fixture.Simulators, new Dictionary<string, string?> { ["Providers:Routing:VideoProviders:0"] = "Leonardo" });

        var loop = await harness.RunAsync(Requests.TextToVideo(loop: true));
        var longer = await harness.RunAsync(Requests.TextToVideo(seconds: 8));

        Assert.Equal(ProviderErrorCode.InvalidInput, loop.Failure!.Code);
        Assert.Equal(ProviderErrorCode.InvalidInput, longer.Failure!.Code);
        Assert.Empty(Leonardo.Requests);
    }
}
