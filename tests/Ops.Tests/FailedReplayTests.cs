using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Ops.Tests;

/// <summary>
/// failed list / show / replay against the processor running as a process: requests time out while the Replicate simulator
/// never finishes a job (an outage), then are replayed once the simulator is healthy again.
/// </summary>
[Trait("Category", "Stack")]
public sealed class FailedReplayTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> ShortTimeout = new() { ["Providers:Replicate:TimeoutMs"] = "3000" };

    [Fact]
    public async Task A_request_that_timed_out_during_an_outage_completes_after_replay_exactly_once()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-timeout", partitions: 2, latencyMs: 100);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 2);
        bed.Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.NeverFinish, PromptContains: "outage-case"));
        var media = await bed.UploadImagesAsync(["tenant-a", "tenant-b", "tenant-c"]);
        var timedOut = PipelineTestbed.Request("tenant-a", media["tenant-a"], "a medieval knight in a castle, outage-case");
        var completed = PipelineTestbed.Request("tenant-b", media["tenant-b"], "a 1920s flapper in a speakeasy");
        var invalid = PipelineTestbed.Request("tenant-c", media["tenant-c"], "too short");
        foreach (var request in new[] { timedOut, completed, invalid })
        {
            await bed.PublishAsync(request);
        }

        bed.StartProcessor("processor", ShortTimeout);
        var before = await bed.OutcomesAsync(3, TimeSpan.FromSeconds(120));
        Assert.Equal(ErrorCode.TimeoutError, Assert.Single(before.Failed, f => f.RequestId == timedOut.RequestId).Error.Code);

        // Only the timeout matches the filters; the invalid request's failure is there, but another code.
        var listed = await ops.RunAsync("failed", "list", "--json", "--code", "TIMEOUT_ERROR");
        Log(listed);
        Assert.Equal(0, listed.ExitCode);
        var failure = Assert.Single(listed.Json.GetProperty("failures").EnumerateArray());
        Assert.Equal(timedOut.RequestId, failure.GetProperty("requestId").GetGuid());
        Assert.Equal("TIMEOUT_ERROR", failure.GetProperty("code").GetString());
        Assert.Equal("REPLICATE", failure.GetProperty("provider").GetString());
        Assert.Equal("open", failure.GetProperty("state").GetString());
        var all = await ops.RunAsync("failed", "list", "--json");
        Assert.Equal(new[] { timedOut.RequestId, invalid.RequestId }.Order(), all.Json.GetProperty("failures").EnumerateArray().Select(f => f.GetProperty("requestId").GetGuid()).Order());

        // A dry run shows what it would replay and publishes nothing.
        var requestedRecords = await RecordCountAsync(bed, Topics.Requested);
        var dryRun = await ops.RunAsync("failed", "replay", "--code", "TIMEOUT_ERROR", "--tenant", "tenant-*");
        Log(dryRun);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains(timedOut.RequestId.ToString(), dryRun.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run: 1 would be replayed", dryRun.Out, StringComparison.Ordinal);
        Assert.Equal(requestedRecords, await RecordCountAsync(bed, Topics.Requested));

        // The outage is over: the replay publishes the request as attempt 1, answering the timeout.
        bed.Simulators.Replicate.Faults.Clear();
        var replayed = await ops.RunAsync("failed", "replay", "--code", "TIMEOUT_ERROR", "--yes", "--json", "--replayed-by", "ops:test");
        Log(replayed);
        Assert.Equal(0, replayed.ExitCode);
        var summary = replayed.Json.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("replayed").GetInt32());
        Assert.Equal(requestedRecords + 1, await RecordCountAsync(bed, Topics.Requested));

        // Asked again before the outcome arrives (or after), nothing is published twice.
        // The invalid request is at fault itself: it is replayed only when its code is asked for.
        var again = await ops.RunAsync("failed", "replay", "--yes", "--json");
        Log(again);
        Assert.Equal(0, again.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, again.JsonSummary().GetProperty("skipped").GetProperty("not-retriable").GetInt32());
        Assert.Equal(requestedRecords + 1, await RecordCountAsync(bed, Topics.Requested));

        var after = await bed.OutcomesAsync(4, TimeSpan.FromSeconds(120));
        var completion = Assert.Single(after.Completed, c => c.RequestId == timedOut.RequestId);
        Assert.Equal(1, completion.Request.Replay!.ReplayCount);
        Assert.Equal(ErrorCode.TimeoutError, completion.Request.Replay.PreviousErrorCode);
        Assert.Equal("ops:test", completion.Request.Replay.ReplayedBy);
        Assert.Single(after.Failed, f => f.RequestId == timedOut.RequestId);
        var jobs = bed.Simulators.Replicate.Jobs.Where(j => j.Prompt.Contains("outage-case", StringComparison.Ordinal)).OrderBy(j => j.CreatedAt).ToList();
        Assert.Equal(2, jobs.Count);
        // The timed-out job stopped, by the processor's cancel or by its own Cancel-After deadline, whichever came first.
        Assert.Contains(jobs[0].Status, new[] { "Canceled", "Aborted" });
        Assert.Equal("Succeeded", jobs[1].Status);

        // The failure is answered: shown as such, and replaying again does nothing.
        var shown = await ops.RunAsync("failed", "show", timedOut.RequestId.ToString(), "--json");
        Log(shown);
        Assert.Equal(0, shown.ExitCode);
        Assert.Equal("completed-later", shown.Json.GetProperty("state").GetString());
        Assert.Equal(["failed", "replay published", "completed"], shown.Json.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()));
        var text = await ops.RunAsync("failed", "show", timedOut.RequestId.ToString());
        Log(text);
        Assert.Contains("replay published", text.Out, StringComparison.Ordinal);
        Assert.Contains($"{timedOut.SceneDescription.Length} characters", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(timedOut.SceneDescription, text.Out, StringComparison.Ordinal);
        var final = await ops.RunAsync("failed", "replay", "--yes", "--json", "--code", "TIMEOUT_ERROR");
        Assert.Equal(0, final.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, final.JsonSummary().GetProperty("skipped").GetProperty("completed-later").GetInt32());
        Assert.Equal(requestedRecords + 1, await RecordCountAsync(bed, Topics.Requested));
    }

    [Fact]
    public async Task A_request_at_the_replay_limit_is_skipped_and_nothing_is_published()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-limit", partitions: 1, latencyMs: 50);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        // The outage goes on: every attempt times out.
        bed.Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.NeverFinish));
        var media = await bed.UploadImageAsync("tenant-a");
        var request = PipelineTestbed.Request("tenant-a", media, "an astronaut on the moon, limit-case");
        await bed.PublishAsync(request);
        bed.StartProcessor("processor", ShortTimeout);
        await bed.OutcomesAsync(1, TimeSpan.FromSeconds(120));

        var first = await ops.RunAsync("failed", "replay", "--yes", "--max-replays", "1", "--json");
        Log(first);
        Assert.Equal(1, first.JsonSummary().GetProperty("replayed").GetInt32());
        var outcomes = await bed.OutcomesAsync(2, TimeSpan.FromSeconds(120));
        Assert.Equal(2, outcomes.Failed.Count(f => f.RequestId == request.RequestId));

        var requestedRecords = await RecordCountAsync(bed, Topics.Requested);
        var atLimit = await ops.RunAsync("failed", "replay", "--yes", "--max-replays", "1");
        Log(atLimit);
        Assert.Equal(0, atLimit.ExitCode);
        Assert.Contains("skip: limit-reached", atLimit.Out, StringComparison.Ordinal);
        Assert.Contains("Replayed 0 of 0", atLimit.Out, StringComparison.Ordinal);
        Assert.Equal(requestedRecords, await RecordCountAsync(bed, Topics.Requested));

        var states = (await ops.RunAsync("failed", "list", "--json", "--max-replays", "1")).Json.GetProperty("failures").EnumerateArray()
            .Select(f => (f.GetProperty("replayCount").GetInt32(), f.GetProperty("state").GetString())).ToList();
        Assert.Equal([(0, "failed-later"), (1, "limit-reached")], states);
        // With a higher limit the same failure is open again: the limit is the operator's, per run.
        var open = await ops.RunAsync("failed", "list", "--json", "--open");
        Assert.Equal(1, Assert.Single(open.Json.GetProperty("failures").EnumerateArray()).GetProperty("replayCount").GetInt32());
        Assert.Equal(2, bed.Simulators.Replicate.Jobs.Count);
    }

    private static async Task<long> RecordCountAsync(PipelineTestbed bed, string contractTopic) =>
        (await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(contractTopic), 0)).Count;

    private void Log(OpsResult result) => output.WriteLine(result.ToString());
}

internal static class OpsResultJson
{
    public static JsonElement JsonSummary(this OpsResult result) => result.Json.GetProperty("summary");
}
