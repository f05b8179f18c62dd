using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Skills.Client;
using CinematicSwitch.Skills.Samples;
using CinematicSwitch.Skills.Tests.Support;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Skills.Tests;

/// <summary>
/// The samples (src/Skills.Samples) run end to end through the real pipeline: the skills' client publishes to the
/// embedded cluster, the processor calls the provider simulators, the archiver stores the videos in S3 and records the
/// credits. The same sample code runs on Runway and on Leonardo; only the processor's configuration differs.
/// </summary>
[Collection(SkillsCollection.Name)]
[Trait("Category", "Stack")]
public sealed class CampaignSkillTests(ITestOutputHelper output)
{
    private const string Campaign = "summer-cup";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task On_Runway_the_four_samples_give_archived_videos_as_asked_with_seamless_loops_and_credits_recorded_once()
    {
        await using var bed = await SkillsBed.StartAsync("skills-runway");
        bed.StartServices();
        var client = await bed.StartClientAsync();
        using var patience = new CancellationTokenSource(Patience);
        var samples = Samples.Start(client, Campaign, await bed.StyleImageAsync(Campaign), patience.Token);

        foreach (var sample in samples)
        {
            var video = await sample.Outcome;
            output.WriteLine($"{sample.Name}:\n{SkillOutput.Success(sample.Skill, video)}");
            Assert.Equal("runway", video.Provider);
            await CheckVideoAsync(bed, sample, video);
        }

        await CheckCreditsRecordedOnceAsync(bed, samples);
        // The prompts are user content: the client logs their lengths only.
        Assert.DoesNotContain(bed.Logs.Lines, l => l.All.Contains("trophy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task On_Leonardo_by_configuration_the_same_samples_give_the_outcome_videos_and_refuse_loops_as_input_errors()
    {
        await using var bed = await SkillsBed.StartAsync("skills-leonardo", "Leonardo");
        bed.StartServices();
        var client = await bed.StartClientAsync();
        using var patience = new CancellationTokenSource(Patience);
        var samples = Samples.Start(client, Campaign, await bed.StyleImageAsync(Campaign), patience.Token);

        foreach (var sample in samples.Where(s => s.Loop))
        {
            // Leonardo has no last keyframe: a loop is refused before any provider call, as the skill's input error.
            var failure = await Assert.ThrowsAsync<SkillVideoException>(() => sample.Outcome);
            output.WriteLine($"{sample.Name}:\n{SkillOutput.Failure(sample.Skill, failure)}");
            Assert.Equal(SkillErrors.InputValidation, failure.Code);
            Assert.Contains("loop", failure.Reason, StringComparison.OrdinalIgnoreCase);
        }

        var outcomes = samples.Where(s => !s.Loop).ToList();
        foreach (var sample in outcomes)
        {
            var video = await sample.Outcome;
            output.WriteLine($"{sample.Name}:\n{SkillOutput.Success(sample.Skill, video)}");
            Assert.Equal("leonardo", video.Provider);
            await CheckVideoAsync(bed, sample, video);
        }

        Assert.Empty(bed.Pipeline.Simulators.Runway.Jobs);
        await CheckCreditsRecordedOnceAsync(bed, outcomes);
    }

    [Fact]
    public async Task A_provider_refusal_and_an_exhausted_quota_reach_the_skill_as_its_error_codes_with_the_providers_reason()
    {
        await using var bed = await SkillsBed.StartAsync("skills-errors");
        bed.StartServices();
        var client = await bed.StartClientAsync();
        using var patience = new CancellationTokenSource(Patience);

        var refused = await Assert.ThrowsAsync<SkillVideoException>(() => client.RequestVideoAsync(
            new VideoRequest(CampaignSkills.OutcomeWin, "A champion lifts the cup [sim:content_policy]", "errors/policy"), patience.Token));
        var broke = await Assert.ThrowsAsync<SkillVideoException>(() => client.RequestVideoAsync(
            new VideoRequest(CampaignSkills.OutcomeLose, "An empty stadium in the rain [sim:insufficient_credits]", "errors/quota"), patience.Token));

        output.WriteLine(SkillOutput.Failure(CampaignSkills.OutcomeWin, refused));
        output.WriteLine(SkillOutput.Failure(CampaignSkills.OutcomeLose, broke));
        Assert.Equal((SkillErrors.InputValidation, "runway"), (refused.Code, refused.Provider));
        Assert.Equal((SkillErrors.QuotaExceeded, "runway"), (broke.Code, broke.Provider));
        // The provider's own words, not the pipeline's summary.
        Assert.Equal(refused.Details["originalError"], refused.Reason);
        Assert.Equal(broke.Details["originalError"], broke.Reason);
        Assert.NotEmpty(refused.Reason);
        Assert.NotEmpty(broke.Reason);
    }

    private static async Task CheckVideoAsync(SkillsBed bed, Samples.Run sample, SkillVideo video)
    {
        Assert.StartsWith($"s3://{bed.Pipeline.Store.Options.ArchiveBucket}/", video.VideoUrl, StringComparison.Ordinal);
        Assert.Equal(sample.Seconds * 1000L, video.DurationMs);
        Assert.False(string.IsNullOrEmpty(video.Model));
        var file = await bed.DownloadAsync(video.VideoUrl);
        try
        {
            var facts = await VideoProbe.ProbeAsync(file);
            Assert.Equal(("h264", "24/1"), (facts.Codec, facts.FrameRate));
            Assert.Equal(sample.Seconds, facts.DurationSeconds, 0.5);
            Assert.Equal(sample.Ratio, (double)facts.Width / facts.Height, 0.02);
            if (sample.Loop)
            {
                var first = await VideoProbe.FrameAsync(file, TimeSpan.Zero);
                var last = await VideoProbe.LastFrameAsync(file);
                var middle = await VideoProbe.FrameAsync(file, TimeSpan.FromSeconds(sample.Seconds / 2.0));
                Assert.True(VideoProbe.Difference(first, last) < 0.01, $"{sample.Name}: first and last frames differ by {VideoProbe.Difference(first, last):P1}");
                Assert.True(VideoProbe.Difference(first, middle) > 0.02, $"{sample.Name}: its frames are all alike: the check would not notice a cut");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>One ledger entry per request, for the skill that asked, of what the skill was told it cost.</summary>
    private static async Task CheckCreditsRecordedOnceAsync(SkillsBed bed, IReadOnlyList<Samples.Run> samples)
    {
        var videos = new List<SkillVideo>();
        foreach (var sample in samples)
        {
            videos.Add(await sample.Outcome);
        }

        var ledger = await bed.LedgerAsync(videos.Count);
        Assert.Equal(videos.Count, ledger.Count);
        foreach (var (sample, video) in samples.Zip(videos))
        {
            var entry = Assert.Single(ledger, e => e.RequestId == video.RequestId);
            Assert.Equal(("skill:" + sample.Skill, video.CreditsUsed, video.CreditUnit), (entry.Requester, entry.Credits, entry.CreditUnit));
            Assert.True(entry.Credits > 0, $"{sample.Name} cost nothing");
        }
    }
}

/// <summary>The four samples started together on one client, with what each asked for.</summary>
internal static class Samples
{
    public sealed record Run(string Name, string Skill, int Seconds, double Ratio, bool Loop, Task<SkillVideo> Outcome);

    /// <param name="deadline">A wait that runs out fails the test with OperationCanceledException.</param>
    public static IReadOnlyList<Run> Start(SkillClient client, string campaign, MediaReference styleImage, CancellationToken deadline) =>
    [
        new("intro-loop-text", CampaignSkills.IntroLoop, 4, 9.0 / 16, true, CampaignSkills.IntroLoopFromTextAsync(client, campaign, deadline)),
        new("intro-loop-image", CampaignSkills.IntroLoop, 6, 16.0 / 9, true, CampaignSkills.IntroLoopFromImageAsync(client, campaign, styleImage, deadline)),
        new("outcome-win", CampaignSkills.OutcomeWin, 5, 16.0 / 9, false, CampaignSkills.OutcomeWinAsync(client, campaign, deadline)),
        new("outcome-lose", CampaignSkills.OutcomeLose, 4, 9.0 / 16, false, CampaignSkills.OutcomeLoseAsync(client, campaign, deadline)),
    ];
}
