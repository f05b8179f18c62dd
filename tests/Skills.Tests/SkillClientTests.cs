using CinematicSwitch.Skills.Client;
using CinematicSwitch.Skills.Samples;
using CinematicSwitch.Skills.Tests.Support;
using Xunit.Abstractions;

namespace CinematicSwitch.Skills.Tests;

/// <summary>The client's promises, on the real pipeline: a timed-out wait, a restart and retries make one request, one video, one charge.</summary>
[Collection(SkillsCollection.Name)]
[Trait("Category", "Stack")]
public sealed class SkillClientTests(ITestOutputHelper output)
{
    private const string Campaign = "autumn-league";

    [Fact]
    public async Task A_wait_that_times_out_leaves_the_request_running_and_a_restarted_client_retrying_it_gets_its_video_without_a_second_request()
    {
        await using var bed = await SkillsBed.StartAsync("skills-resume");

        // Nothing processes requests yet: the first client's wait can only run out.
        var first = await bed.StartClientAsync();
        using (var timeout = new CancellationTokenSource())
        {
            var waiting = CampaignSkills.OutcomeWinAsync(first, Campaign, timeout.Token);
            Assert.Single(await bed.RequestsAsync(1));
            await timeout.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        }

        await first.DisposeAsync();

        // The skill's process restarts and retries while the pipeline works: it waits for the request already published.
        bed.StartServices();
        var second = await bed.StartClientAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var video = await CampaignSkills.OutcomeWinAsync(second, Campaign, patience.Token);
        output.WriteLine(SkillOutput.Success(CampaignSkills.OutcomeWin, video));
        // A retry on the same client once the outcome is known, and a third process started afterwards, get the same video.
        Assert.Same(video, await CampaignSkills.OutcomeWinAsync(second, Campaign, patience.Token));
        var third = await bed.StartClientAsync();
        Assert.Equal(Facts(video), Facts(await CampaignSkills.OutcomeWinAsync(third, Campaign, patience.Token)));

        var request = Assert.Single(await bed.RequestsAsync(1));
        Assert.Equal((video.RequestId, "skill:" + CampaignSkills.OutcomeWin), (request.RequestId, request.Requester));
        Assert.Single(bed.Pipeline.Simulators.Runway.Jobs);
        Assert.Single(await bed.LedgerAsync(1));
        Assert.Contains(bed.Logs.Lines, l => l.Message.Contains("already published", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_publish_one_request_and_share_its_outcome()
    {
        await using var bed = await SkillsBed.StartAsync("skills-concurrent");
        bed.StartServices();
        var client = await bed.StartClientAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(4));

        var same = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => CampaignSkills.OutcomeLoseAsync(client, Campaign, patience.Token)));
        var other = await CampaignSkills.OutcomeLoseAsync(client, Campaign + "-2", patience.Token);

        Assert.All(same, v => Assert.Same(same[0], v));
        Assert.NotEqual(same[0].RequestId, other.RequestId);
        Assert.Equal(2, (await bed.RequestsAsync(2)).Count);
        Assert.Equal(2, bed.Pipeline.Simulators.Runway.Jobs.Count);
    }

    private static (Guid, string, long, decimal, string, string) Facts(SkillVideo video) =>
        (video.RequestId, video.VideoUrl, video.DurationMs, video.CreditsUsed, video.Provider, video.Model);
}
