using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>The Runway adapter (and its fallback to Leonardo) against the simulators, over loopback HTTP.</summary>
[Trait("Category", "Stack")]
public sealed class RunwayContractTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private Simulators.RunwaySimulator Runway => fixture.Simulators.Runway;

    private Simulators.LeonardoSimulator Leonardo => fixture.Simulators.Leonardo;

    private static readonly Dictionary<string, string?> RunwayOnly = new() { ["Providers:Routing:VideoProviders:0"] = "Runway" };

    [Fact]
    public async Task Animates_an_image_into_an_H264_24fps_MP4_in_the_requested_ratio()
    {
        await using var harness = new Harness(fixture.Simulators);

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "9:16"));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var result = outcome.Result!;
        Assert.Equal(Provider.Runway, result.Provider);
        Assert.Equal("gen4.5", result.Model);
        var output = Assert.Single(result.Outputs);
        Assert.True(output.IsVideo);
        Assert.Equal("video/mp4", output.ContentType);
        var video = await Media.ProbeAsync(output.Url);
        Assert.Equal("h264", video.Codec);
        Assert.Equal("24/1", video.FrameRate);
        Assert.Equal(720.0 / 1280, (double)video.Width / video.Height, 2);
        Assert.Equal(5, video.DurationSeconds, 0.1);
        Assert.Equal(12m * 5, result.Credits);
        Assert.Equal("runway_credits", result.CreditUnit);
        var job = Assert.Single(Runway.Jobs);
        Assert.Equal("image_to_video", job.Operation);
        Assert.True(job.InputBytes > 100, "the data URI image reached Runway");
    }

    [Fact]
    public async Task Runway_jobs_of_one_process_run_one_at_a_time_as_its_MaxConcurrent_of_1_says()
    {
        await using var harness = new Harness(fixture.Simulators, RunwayOnly);
        Runway.Latency = TimeSpan.FromMilliseconds(300);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => harness.RunAsync(Requests.ImageToVideo())));

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Failure?.Message));
        var jobs = Runway.Jobs.OrderBy(j => j.CreatedAt).ToList();
        Assert.Equal(3, jobs.Count);
        for (var i = 1; i < jobs.Count; i++)
        {
            Assert.True(jobs[i].CreatedAt >= jobs[i - 1].EndedAt, $"job {i} started at {jobs[i].CreatedAt:O}, before job {i - 1} ended at {jobs[i - 1].EndedAt:O}");
        }
    }

    /// <summary>REQ6 on today's models: Veo 3.1 takes a first and a last keyframe (REQ3's 4 s is one of its lengths), without audio and without a seed.</summary>
    [Theory]
    [InlineData("16:9", "1280:720")]
    [InlineData("9:16", "720:1280")]
    public async Task A_seamless_loop_uses_the_image_as_first_and_last_keyframe(string ratio, string pixels)
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.ImageToVideo(ratio: ratio, seconds: 4, loop: true);

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal("veo3.1_fast", outcome.Result!.Model);
        var input = Runway.Ledger.Jobs.Single().Input;
        var frames = Assert.IsType<JsonArray>(input["promptImage"]);
        Assert.Equal(["first", "last"], frames.Select(f => f!["position"]!.GetValue<string>()));
        Assert.All(frames, f => Assert.Equal(request.Media!.Url, f!["uri"]!.GetValue<string>()));
        Assert.Equal(pixels, input["ratio"]!.GetValue<string>());
        Assert.Equal(4, input["duration"]!.GetValue<int>());
        Assert.False(input["audio"]!.GetValue<bool>());
        Assert.Null(input["seed"]);
        Assert.Empty(outcome.Result.Seeds);
        Assert.Equal(4, (await Media.ProbeAsync(outcome.Result.Outputs[0].Url)).DurationSeconds, 0.1);
    }

    [Fact]
    public async Task A_video_longer_than_a_clip_is_chained_from_keyframed_clips_one_after_the_other()
    {
        await using var harness = new Harness(fixture.Simulators);

        var outcome = await harness.RunAsync(Requests.ImageToVideo(seconds: 12));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal("veo3.1_fast", outcome.Result!.Model);
        Assert.Equal([(0, 8), (1, 4)], outcome.Result!.Outputs.Select(o => (o.Segment, o.DurationSeconds ?? 0)));
        Assert.Equal(1, outcome.Result.VariationCount);
        var jobs = Runway.Jobs;
        Assert.Equal(2, jobs.Count);
        Assert.True(jobs[1].CreatedAt >= jobs[0].EndedAt, "the second clip started while the first was in flight");
        Assert.Equal(12, (await Media.ProbeAsync(outcome.Result.Outputs[0].Url)).DurationSeconds + (await Media.ProbeAsync(outcome.Result.Outputs[1].Url)).DurationSeconds, 1);
    }

    [Fact]
    public async Task Text_to_video_is_one_native_task()
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.TextToVideo(ratio: "9:16", seconds: 7);

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(Runway.Ledger.Jobs);
        Assert.Equal("text_to_video", job.Operation);
        Assert.Equal("gen4.5", job.Model);
        Assert.Equal("720:1280", job.Input["ratio"]!.GetValue<string>());
        Assert.Equal(7, job.Input["duration"]!.GetValue<int>());
        Assert.Equal(12m * 7, outcome.Result!.Credits);
        var video = await Media.ProbeAsync(outcome.Result.Outputs[0].Url);
        Assert.Equal(720.0 / 1280, (double)video.Width / video.Height, 2);
    }

    [Fact]
    public async Task A_text_to_video_loop_generates_its_keyframe_first_then_animates_it()
    {
        await using var harness = new Harness(fixture.Simulators);

        var outcome = await harness.RunAsync(Requests.TextToVideo(seconds: 6, loop: true));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var jobs = Runway.Ledger.Jobs;
        Assert.Equal(["text_to_image", "image_to_video"], jobs.Select(j => j.Operation));
        var frames = Assert.IsType<JsonArray>(jobs[1].Input["promptImage"]);
        // The frame came from the simulator's own http://127.0.0.1 origin, which Runway would not fetch: it went as bytes.
        Assert.All(frames, f => Assert.StartsWith("data:image/png;base64,", f!["uri"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Equal(5m + (10m * 6), outcome.Result!.Credits);
    }

    [Theory]
    [InlineData("original", null)]
    [InlineData("1:1", "1:1")]
    [InlineData("9:16", "9:16")]
    public async Task Video_to_video_keeps_the_inputs_ratio_or_expands_it_to_the_requested_one(string ratio, string? target)
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.ImageToVideo(ratio: ratio) with
        {
            Task = TransformationTask.VideoToVideo,
            Media = new MediaInput("https://media.example/clip.mp4", "video/mp4", true, SizeBytes: 3_000_000),
        };

        var outcome = await harness.RunAsync(request);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal("aleph2", outcome.Result!.Model);
        var input = Runway.Ledger.Jobs.Single().Input;
        Assert.Equal("https://media.example/clip.mp4", input["videoUri"]!.GetValue<string>());
        Assert.Equal(target, input["targetAspectRatio"]?.GetValue<string>());
    }

    [Theory]
    [InlineData("1:1", 5, true)]
    [InlineData("16:9", 90, false)]
    [InlineData("1:1", 12, false)]
    [InlineData("2:1", 5, false)]
    [InlineData("4:3", 6, true)]
    public async Task Videos_no_provider_can_make_are_refused_before_any_call(string ratio, int seconds, bool loop)
    {
        await using var harness = new Harness(fixture.Simulators);

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: ratio, seconds: seconds, loop: loop));

        Assert.Equal(ProviderErrorCode.InvalidInput, outcome.Failure!.Code);
        Assert.Contains("Runway cannot make", outcome.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(Runway.Requests);
        Assert.Empty(Leonardo.Requests);
        Assert.Empty(harness.Journal.Entries);
    }

    [Fact]
    public async Task A_prompt_beyond_Runways_limit_is_refused_before_any_call()
    {
        await using var harness = new Harness(fixture.Simulators, RunwayOnly);

        var outcome = await harness.RunAsync(Requests.ImageToVideo(description: new string('x', 1500)));

        Assert.Equal(ProviderErrorCode.InvalidInput, outcome.Failure!.Code);
        Assert.Contains("1000 characters", outcome.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(Runway.Requests);
    }

    /// <summary>Content policy is input validation, exhausted credits are quota exceeded: neither falls back.</summary>
    [Theory]
    [InlineData(FaultKind.ContentPolicy, ProviderErrorCode.InputValidation, "failureCode", "SAFETY.INPUT.TEXT")]
    [InlineData(FaultKind.InsufficientCredits, ProviderErrorCode.QuotaExceeded, "originalError", "You do not have enough credits to run this task.")]
    public async Task A_refusal_the_next_provider_would_repeat_keeps_its_code_and_does_not_fall_back(
        FaultKind fault, ProviderErrorCode code, string detail, string expected)
    {
        await using var harness = new Harness(fixture.Simulators);
        Runway.Faults.Add(new FaultRule(fault));

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "original"));

        Assert.Equal(code, outcome.Failure!.Code);
        Assert.Equal(expected, outcome.Failure.Details[detail]);
        Assert.Empty(Leonardo.Requests);
    }

    [Fact]
    public async Task A_failing_Runway_falls_back_to_Leonardo()
    {
        await using var harness = new Harness(fixture.Simulators);
        Runway.Faults.Add(new FaultRule(FaultKind.Unavailable));

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "original"));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var result = outcome.Result!;
        Assert.Equal(Provider.Leonardo, result.Provider);
        Assert.Equal(Provider.Runway, result.FallbackFrom);
        Assert.NotNull(result.FallbackReason);
        Assert.Equal(25m, result.Credits);
        Assert.Equal("leonardo_api_credits", result.CreditUnit);
        Assert.Equal(CreditSource.Reported, result.CreditSource);
        Assert.Single(Leonardo.Jobs);
        Assert.Contains(harness.Journal.Entries, e => e.Provider == Provider.Runway && e.State == JobState.Failed);
        Assert.Equal(JobState.Finished, harness.Journal.Entries[^1].State);
        Assert.Equal(Provider.Leonardo, harness.Journal.Entries[^1].Provider);
    }

    [Fact]
    public async Task A_failed_task_falls_back_and_a_loop_Leonardo_cannot_make_does_not()
    {
        await using var harness = new Harness(fixture.Simulators);
        Runway.Faults.Add(new FaultRule(FaultKind.JobFailed));

        var plain = await harness.RunAsync(Requests.ImageToVideo(ratio: "original"));
        var loop = await harness.RunAsync(Requests.ImageToVideo(loop: true));

        Assert.Equal(Provider.Leonardo, plain.Result!.Provider);
        Assert.Equal(ProviderErrorCode.ProviderError, loop.Failure!.Code);
        Assert.Equal("INTERNAL.BAD_OUTPUT.CODE01", loop.Failure.Details["failureCode"]);
        Assert.Single(Leonardo.Jobs);
    }

    [Fact]
    public async Task A_task_past_its_timeout_is_cancelled_with_DELETE()
    {
        await using var harness = new Harness(fixture.Simulators, new Dictionary<string, string?>(RunwayOnly) { ["Providers:Runway:TimeoutMs"] = "1200" });
        Runway.Faults.Add(new FaultRule(FaultKind.NeverFinish));

        var outcome = await harness.RunAsync(Requests.ImageToVideo());

        Assert.Equal(ProviderErrorCode.Timeout, outcome.Failure!.Code);
        var job = Assert.Single(Runway.Jobs);
        Assert.NotNull(job.CanceledAt);
        Assert.Contains(Runway.Requests, r => r.Method == "DELETE" && r.Path == $"/v1/tasks/{job.Id}" && r.Status == 204);
    }

    [Fact]
    public async Task Polling_rides_out_a_429_and_a_503()
    {
        await using var harness = new Harness(fixture.Simulators);
        Runway.Latency = TimeSpan.FromMilliseconds(600);
        Runway.Faults.Add(new FaultRule(FaultKind.RateLimited, FaultTarget.Poll, Count: 1, RetryAfterSeconds: 1));
        Runway.Faults.Add(new FaultRule(FaultKind.Unavailable, FaultTarget.Poll, Count: 1));

        var outcome = await harness.RunAsync(Requests.ImageToVideo());

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Contains(Runway.Requests, r => r.Status == 429);
        Assert.Contains(Runway.Requests, r => r.Status == 503);
        Assert.Single(Runway.Jobs);
    }

    [Fact]
    public async Task An_intent_without_a_task_id_after_a_restart_fails_rather_than_risk_a_second_task()
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.ImageToVideo();
        JobCheckpoint[] intent = [new(0, Provider.Runway, "gen4.5", null, JobState.Starting, DateTimeOffset.UtcNow)];

        var outcome = await harness.RunAsync(request, intent);

        Assert.Equal(ProviderErrorCode.ProviderError, outcome.Failure!.Code);
        Assert.Contains("unknown after a worker restart", outcome.Failure.Message, StringComparison.Ordinal);
        Assert.Equal("unknown", outcome.Failure.Details["jobState"]);
        Assert.Empty(Runway.Requests);
        Assert.Empty(Leonardo.Requests);
    }

    [Fact]
    public async Task A_started_task_is_polled_after_a_restart_and_never_created_again()
    {
        await using var first = new Harness(fixture.Simulators);
        Runway.Latency = TimeSpan.FromMilliseconds(800);
        var request = Requests.ImageToVideo();
        var journal = new CrashAfterStarted();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Runner.RunAsync(request, [], journal, CancellationToken.None));

        await using var second = new Harness(fixture.Simulators, keepState: true);
        var outcome = await second.RunAsync(request, journal.Entries);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(Runway.Jobs);
        Assert.Equal([job.Id], outcome.Result!.ProviderJobIds);
        Assert.Single(Runway.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task After_a_restart_a_request_already_on_its_fallback_stays_there()
    {
        await using var harness = new Harness(fixture.Simulators);
        var request = Requests.ImageToVideo(ratio: "original");
        var failure = ProviderFailure.Create(ProviderErrorCode.ProviderError, "Runway failed with HTTP 503.", Provider.Runway, 503);
        JobCheckpoint[] journal =
        [
            new(0, Provider.Runway, "gen4.5", null, JobState.Starting, DateTimeOffset.UtcNow),
            new(0, Provider.Runway, "gen4.5", null, JobState.Failed, DateTimeOffset.UtcNow, Failure: failure),
            new(0, Provider.Leonardo, "MOTION2", null, JobState.Starting, DateTimeOffset.UtcNow),
        ];

        var outcome = await harness.RunAsync(request, journal);

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(Provider.Leonardo, outcome.Result!.Provider);
        Assert.Equal(Provider.Runway, outcome.Result.FallbackFrom);
        Assert.Equal("Runway failed with HTTP 503.", outcome.Result.FallbackReason);
        Assert.Empty(Runway.Requests);
        Assert.Single(Leonardo.Jobs);
    }
}
