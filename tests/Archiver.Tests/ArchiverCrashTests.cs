using CinematicSwitch.Archiver.Tests.Support;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using Xunit.Abstractions;

namespace CinematicSwitch.Archiver.Tests;

/// <summary>The archiver as its own OS process, killed with SIGKILL in the middle of a batch and started again.</summary>
[Trait("Category", "Stack")]
public sealed class ArchiverCrashTests(ITestOutputHelper output)
{
    private const int Requests = 120;

    [Fact]
    public async Task Killed_mid_batch_and_restarted_the_archiver_records_every_credit_exactly_once()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("crash");
        var images = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            images.AddRange(await testbed.Outputs.ReplicateImagesAsync(4, i % 2 == 0 ? "png" : "webp"));
        }

        var video = await testbed.Outputs.RunwayVideoAsync(5);
        var requests = Enumerable.Range(0, Requests).Select(i => i % 10 == 0
            ? TestEvents.Completed($"tenant-{i % 12}", Provider.Runway, "gen4.5", [(video, MediaKind.Video)], 25m, "runway_credits")
            : TestEvents.Completed($"tenant-{i % 12}", Provider.Replicate, "black-forest-labs/flux-dev",
                [(images[i % images.Count], MediaKind.Image), (images[(i + 1) % images.Count], MediaKind.Image)], 0.05m, "usd")).ToList();
        // Few at a time, so that the batch is still running when the process is killed.
        var settings = new Dictionary<string, string> { ["Archiver:Stream:MaxInFlight"] = "2" };
        await testbed.PublishAsync(requests);

        // Killed twice: once early in the batch, once in the middle of what the restarted process picked up.
        foreach (var killAt in new[] { Requests / 6, Requests / 2 })
        {
            var doomed = testbed.StartArchiver(settings: settings).Process;
            var seen = await testbed.CountAsync(Topics.CreditsRecorded, atLeast: killAt, TimeSpan.FromSeconds(120));
            await doomed.KillAsync();
            var published = await testbed.CountAsync(Topics.CreditsRecorded, atLeast: 0, TimeSpan.Zero);
            output.WriteLine($"Killed after {seen} credits were seen; {published} were published by then.");
            Assert.True(seen >= killAt, $"only {seen} credits within the time; output: {testbed.Tail()}");
            Assert.True(published < Requests, $"the batch was finished ({published} credits) before the kill; output: {testbed.Tail()}");
        }

        var last = testbed.StartArchiver(settings: settings).Process;
        await testbed.WaitForCommittedAsync(Requests, TimeSpan.FromSeconds(180));
        var credits = await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, Requests);
        var archived = await testbed.ReadAsync<TransformationArchived>(Topics.Archived, Requests);

        Assert.False(last.HasExited, testbed.Tail());
        Assert.Equal(requests.Select(r => r.RequestId).Order(), credits.Select(c => c.Value.RequestId).Order());
        Assert.Equal(Requests, credits.Select(c => c.Identity).Distinct().Count());
        Assert.Equal(requests.Sum(r => r.Credits), credits.Sum(c => c.Value.Credits));
        Assert.Equal(requests.Select(r => r.RequestId).Order(), archived.Select(a => a.Value.RequestId).Order());
        Assert.All(archived, a => Assert.Equal(requests.Single(r => r.RequestId == a.Value.RequestId).Outputs.Count, a.Value.Outputs.Count));
        Assert.Empty(await testbed.ReadAsync<TransformationFailed>(Topics.Failed, 0));
    }
}
