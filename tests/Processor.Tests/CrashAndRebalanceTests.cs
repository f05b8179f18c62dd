using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// Nothing lost, nothing doubled: the processor killed with SIGKILL mid-run and restarted, and a second
/// instance joining mid-run. Checked from the outcome topics and from the provider simulator's own record
/// of every job it was asked to create.
/// </summary>
[Trait("Category", "Stack")]
public sealed class CrashAndRebalanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killed_twice_mid_run_every_request_has_one_outcome_one_job_and_no_tenant_overlaps()
    {
        const int requests = 500;
        const int tenants = 50;
        await using var bed = await PipelineTestbed.StartAsync("crash", partitions: 6, latencyMs: 600);
        var published = await PublishAsync(bed, requests, tenants);

        var first = bed.StartProcessor("processor-1");
        await bed.Simulators.Replicate.WaitForJobsAsync(120, TimeSpan.FromMinutes(3));
        await first.KillAsync();
        output.WriteLine($"killed processor-1 after {bed.Simulators.Replicate.Jobs.Count} jobs");

        var second = bed.StartProcessor("processor-2");
        await bed.Simulators.Replicate.WaitForJobsAsync(300, TimeSpan.FromMinutes(3));
        await second.KillAsync();
        output.WriteLine($"killed processor-2 after {bed.Simulators.Replicate.Jobs.Count} jobs");

        bed.StartProcessor("processor-3");
        var outcomes = await bed.OutcomesAsync(requests, TimeSpan.FromMinutes(5));
        Report(bed, outcomes);

        AssertExactlyOnce(bed, published, outcomes);
    }

    /// <summary>Under both group protocols: the classic one (cooperative-sticky) and KIP-848's, which the 2.16 mock serves.</summary>
    [Theory]
    [InlineData("classic")]
    [InlineData("consumer")]
    public async Task A_second_instance_joining_mid_run_loses_and_doubles_nothing(string groupProtocol)
    {
        const int requests = 200;
        await using var bed = await PipelineTestbed.StartAsync("rebalance", partitions: 6, latencyMs: 500);
        var published = await PublishAsync(bed, requests / 2, tenants: 40);
        var settings = new Dictionary<string, string> { ["Processor:Stream:MaxInFlight"] = "8", ["Kafka:GroupProtocol"] = groupProtocol };
        if (groupProtocol == "consumer")
        {
            // The brokers' session and heartbeat, which the leases derive from.
            foreach (var (key, value) in EmbeddedKafka.ConsumerGroupSettings)
            {
                settings[key] = value;
            }
        }

        bed.StartProcessor("processor-1", settings);
        await bed.Simulators.Replicate.WaitForJobsAsync(40, TimeSpan.FromMinutes(3));
        bed.StartProcessor("processor-2", settings);
        // The second half goes out once processor-2 owns partitions, so both instances have work after the rebalance however
        // long the second one took to start (on a loaded machine processor-1 was seen to finish everything before that).
        await bed.WaitForLogAsync("processor-2 |", "taken over", TimeSpan.FromMinutes(3));
        published.AddRange(await PublishAsync(bed, requests / 2, tenants: 40, first: requests / 2));
        var outcomes = await bed.OutcomesAsync(requests, TimeSpan.FromMinutes(5));
        Report(bed, outcomes);

        AssertExactlyOnce(bed, published, outcomes);
        Assert.Contains(bed.Logs, l => l.StartsWith("processor-1 |", StringComparison.Ordinal) && l.Contains("completed by", StringComparison.Ordinal));
        Assert.Contains(bed.Logs, l => l.StartsWith("processor-2 |", StringComparison.Ordinal) && l.Contains("completed by", StringComparison.Ordinal));
    }

    /// <summary>Requests over tenants, each with a token in its description that its provider job's prompt carries.</summary>
    internal static async Task<List<TrackedRequest>> PublishAsync(PipelineTestbed bed, int requests, int tenants, int first = 0)
    {
        var media = await bed.UploadImagesAsync(TrackedRequest.Tenants(tenants));
        var published = new List<TrackedRequest>();
        for (var i = first; i < first + requests; i++)
        {
            var (request, tracked) = TrackedRequest.Create(i, tenants, media);
            await bed.PublishAsync(request);
            published.Add(tracked);
        }

        return published;
    }

    internal static void AssertExactlyOnce(PipelineTestbed bed, List<TrackedRequest> published, Outcomes outcomes)
    {
        // Exactly one outcome per request, and every request answered; copies (identical relays) only, never a second decision.
        Assert.Empty(outcomes.Conflicts);
        var perRequest = outcomes.PerRequest();
        Assert.Equal(published.Select(p => p.RequestId).Order(), perRequest.Keys.Order());
        Assert.All(perRequest, kv => Assert.True(kv.Value == 1, $"request {kv.Key} has {kv.Value} outcomes"));
        Assert.Empty(outcomes.Failed);

        var jobs = PipelineInvariants.JobsByToken(bed.Simulators.Replicate.Jobs);
        Assert.Empty(PipelineInvariants.OneJobPerRequest(published, jobs));
        Assert.Empty(PipelineInvariants.NoTenantOverlap(published, jobs));
    }

    private void Report(PipelineTestbed bed, Outcomes outcomes)
    {
        output.WriteLine($"{outcomes.Completed.Count} completed, {outcomes.Failed.Count} failed ({outcomes.Copies} identical copies), " +
            $"{bed.Simulators.Replicate.Jobs.Count} provider jobs");
        foreach (var failed in outcomes.Failed.Take(5))
        {
            output.WriteLine($"failed {failed.RequestId}: {failed.Error.Code} {failed.Error.Message} {string.Join(", ", failed.Error.Details)}");
        }

        foreach (var line in bed.Logs.Where(l => l.Contains(" ERR ", StringComparison.Ordinal) || l.Contains(" FTL ", StringComparison.Ordinal)).Take(20))
        {
            output.WriteLine(line);
        }
    }
}
