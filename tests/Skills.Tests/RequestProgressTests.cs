using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Skills.Client;

namespace CinematicSwitch.Skills.Tests;

/// <summary>How the client joins a request's events, whatever order its topics are read in.</summary>
public sealed class RequestProgressTests
{
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly DateTimeOffset At = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_video_is_known_once_completed_archived_and_charged_in_any_order_and_copies_do_not_change_it()
    {
        var progress = new RequestProgress();
        progress.Observe(new RequestIdentity(Id, 0), Credits(40m));
        progress.Observe(new RequestIdentity(Id, 0), Archived("s3://archive/a.mp4"));
        Assert.Null(progress.Video);

        progress.Observe(new RequestIdentity(Id, 0), Completed(replay: 0));
        progress.Observe(new RequestIdentity(Id, 0), Archived("s3://archive/copy.mp4"));

        var video = progress.Video;
        Assert.NotNull(video);
        Assert.Equal(("s3://archive/a.mp4", 4000L, 40m, "runway_credits", "runway", "veo3.1_fast"),
            (video.VideoUrl, video.DurationMs, video.CreditsUsed, video.CreditUnit, video.Provider, video.Model));
        Assert.True(progress.Requested);
    }

    [Fact]
    public void A_replay_answers_for_the_request_and_what_its_failed_attempt_left_behind_is_ignored()
    {
        var progress = new RequestProgress();
        progress.Observe(new RequestIdentity(Id, 0), Failed(replay: 0, ErrorCode.TimeoutError));
        Assert.Equal(ErrorCode.TimeoutError, progress.Failure?.Error.Code);

        progress.Observe(new RequestIdentity(Id, 1), Completed(replay: 1));
        Assert.Null(progress.Failure);
        progress.Observe(new RequestIdentity(Id, 0), Failed(replay: 0, ErrorCode.TimeoutError));
        progress.Observe(new RequestIdentity(Id, 1), Archived("s3://archive/b.mp4"));
        progress.Observe(new RequestIdentity(Id, 1), Credits(12m));

        Assert.Null(progress.Failure);
        Assert.Equal("s3://archive/b.mp4", progress.Video?.VideoUrl);
        Assert.Equal(1, progress.Attempt);
    }

    [Fact]
    public async Task The_client_leaves_its_options_as_given()
    {
        var options = new SkillClientOptions
        {
            TenantId = "t",
            BootstrapServers = "127.0.0.1:1",
            SchemaRegistryUrl = "http://127.0.0.1:1",
            KafkaProperties = { ["socket.timeout.ms"] = "1000" },
        };

        await new SkillClient(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<SkillClient>.Instance).DisposeAsync();

        Assert.Equal(["socket.timeout.ms"], options.KafkaProperties.Keys);
    }

    [Theory]
    [InlineData(ErrorCode.QuotaExceededError, "QUOTA_EXCEEDED_ERROR")]
    [InlineData(ErrorCode.InputValidationError, "INPUT_VALIDATION_ERROR")]
    [InlineData(ErrorCode.InvalidInput, "INPUT_VALIDATION_ERROR")]
    [InlineData(ErrorCode.ProviderError, "PROVIDER_ERROR")]
    [InlineData(ErrorCode.TimeoutError, "TIMEOUT_ERROR")]
    [InlineData(ErrorCode.Unknown, "PROVIDER_ERROR")]
    public void Event_codes_map_to_the_skill_error_codes(ErrorCode code, string expected) => Assert.Equal(expected, SkillErrors.From(code));

    private static TransformationRequested Request(int replay) => new(Id, "t", "c", "skill:generate_intro_video_loop", At,
        TransformationTask.TextToVideo, null, "a trophy turning on a pedestal", null, null, 1, "16:9", new VideoOptions(4, true, null, null), null,
        replay == 0 ? null : new ReplayInfo(replay, At, "ops", ErrorCode.TimeoutError, "timed out"));

    private static TransformationCompleted Completed(int replay) => new(Id, "t", "c", "skill:generate_intro_video_loop", At, Provider.Runway,
        "veo3.1_fast", [new OutputMedia(0, "https://provider/x.mp4", "video/mp4", MediaKind.Video)], 1, [], 1, 1, 40m, "runway_credits",
        CreditSource.RateTable, ["job"], null, null, Request(replay));

    private static TransformationFailed Failed(int replay, ErrorCode code) => new(Id, "t", "c", "skill:generate_intro_video_loop", At,
        FailureStage.Processing, new ErrorInfo(code, "failed", Provider.Runway, null, new Dictionary<string, string>()), Request(replay));

    private static TransformationArchived Archived(string uri) => new(Id, "t", "c", "skill:generate_intro_video_loop", At, Provider.Runway,
        "veo3.1_fast", [new ArchivedMedia(0, uri, null, null, "video/mp4", MediaKind.Video, 10, "00", "https://provider/x.mp4")], []);

    private static CreditsRecorded Credits(decimal credits) => new(Id, "t", "c", "skill:generate_intro_video_loop", At,
        TransformationTask.TextToVideo, Provider.Runway, "veo3.1_fast", credits, "runway_credits", CreditSource.RateTable);
}
