using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Ops.Tests;

/// <summary>topics status: offsets of the project's topics and the consumer groups' lag, in-process and as the built CLI.</summary>
[Trait("Category", "Stack")]
public sealed class TopicsStatusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_lag_reported_is_what_the_processor_left_unconsumed()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-lag", partitions: 2, latencyMs: 50);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 2);
        var media = await bed.UploadImagesAsync(["tenant-a", "tenant-b", "tenant-c", "tenant-d", "tenant-e"]);
        foreach (var tenant in new[] { "tenant-a", "tenant-b", "tenant-c" })
        {
            await bed.PublishAsync(PipelineTestbed.Request(tenant, media[tenant], $"a medieval knight in a castle for {tenant}"));
        }

        var processor = bed.StartProcessor("processor");
        await bed.OutcomesAsync(3, TimeSpan.FromSeconds(120));
        // The processor commits what it finished every 200 ms; once it has committed everything, it stops.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ProcessorLag(await ops.RunAsync("topics", "status", "--json"), ops, bed).GetProperty("lag").GetInt64() != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the processor did not commit its finished records");
            await Task.Delay(500);
        }

        await processor.StopAsync(TimeSpan.FromSeconds(30));
        await bed.PublishAsync(PipelineTestbed.Request("tenant-d", media["tenant-d"], "a 1920s flapper in a speakeasy"));
        await bed.PublishAsync(PipelineTestbed.Request("tenant-e", media["tenant-e"], "an astronaut on the moon, looking back"));

        var status = await ops.RunAsync("topics", "status", "--json");
        output.WriteLine(status.ToString());
        Assert.Equal(0, status.ExitCode);
        AssertLags(status, ops, bed);

        var requested = status.Json.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == bed.Topic(Topics.Requested));
        Assert.Equal(2, requested.GetProperty("partitions").GetArrayLength());
        Assert.Equal(5, requested.GetProperty("end").GetInt64());
        Assert.Equal(0, requested.GetProperty("start").GetInt64());

        var table = await ops.RunAsync("topics", "status", "--partitions");
        output.WriteLine(table.ToString());
        Assert.Contains(ops.Group("Processor"), table.Out, StringComparison.Ordinal);
        Assert.Contains("cannot list consumer groups", table.Error, StringComparison.Ordinal);

        // The built CLI, attached by environment variables (the services' own names), reports the same.
        var process = await OpsProcess.RunAsync(new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bed.Stack.Kafka.BootstrapServers,
            ["Kafka__TopicPrefix"] = bed.Prefix,
            ["Topology__Partitions"] = "2",
            ["Processor__Stream__GroupId"] = ops.Group("Processor"),
            ["Archiver__Stream__GroupId"] = ops.Group("Archiver"),
        }, "topics", "status", "--json", "--embedded");
        output.WriteLine(process.ToString());
        Assert.Equal(0, process.ExitCode);
        AssertLags(process, ops, bed);
    }

    private static void AssertLags(OpsResult status, OpsHarness ops, PipelineTestbed bed)
    {
        Assert.Equal(2, ProcessorLag(status, ops, bed).GetProperty("lag").GetInt64());
        // The archiver never ran: it has no commits and would read every completed event.
        var archiver = status.Json.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("group").GetString() == ops.Group("Archiver"));
        Assert.Equal(bed.Topic(Topics.Completed), archiver.GetProperty("topic").GetString());
        Assert.Equal(0, archiver.GetProperty("committedPartitions").GetInt32());
        Assert.Equal(3, archiver.GetProperty("lag").GetInt64());
    }

    private static JsonElement ProcessorLag(OpsResult status, OpsHarness ops, PipelineTestbed bed) =>
        status.Json.GetProperty("groups").EnumerateArray()
            .Single(g => g.GetProperty("group").GetString() == ops.Group("Processor") && g.GetProperty("topic").GetString() == bed.Topic(Topics.Requested));
}
