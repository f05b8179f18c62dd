using CinematicSwitch.Contracts;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// docker stop sends SIGTERM and waits stop_grace_period: the processor must use that time to finish the generations it
/// has started, publish their outcomes, commit, and exit 0, so that nothing is paid for twice after a redeploy.
/// </summary>
[Trait("Category", "Stack")]
public sealed class ProcessorShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SIGTERM_drains_in_flight_generations_publishes_their_outcomes_commits_and_exits_0()
    {
        const int Requests = 4;
        // Provider jobs take long enough that every one of them is still running when SIGTERM arrives.
        await using var bed = await PipelineTestbed.StartAsync("sigterm", partitions: 3, latencyMs: 8000);
        var media = await bed.UploadImagesAsync(Enumerable.Range(0, Requests).Select(i => $"tenant-{i}"));
        var requests = Enumerable.Range(0, Requests)
            .Select(i => PipelineTestbed.Request($"tenant-{i}", media[$"tenant-{i}"], $"a medieval knight in a castle, request {i}"))
            .ToList();
        foreach (var request in requests)
        {
            await bed.PublishAsync(request);
        }

        var processor = bed.StartProcessor("processor");
        await bed.Simulators.Replicate.WaitForJobsAsync(Requests, TimeSpan.FromMinutes(2));

        var runningAtSigterm = bed.Simulators.Replicate.Jobs.Count(j => j.EndedAt is null);
        await processor.StopAsync(TimeSpan.FromSeconds(60));
        var exitCode = await processor.WaitForExitAsync(CancellationToken.None);
        foreach (var line in bed.Logs)
        {
            output.WriteLine(line);
        }

        Assert.True(runningAtSigterm > 0, "no provider job was in flight when SIGTERM was sent");
        Assert.Equal(0, exitCode);
        Assert.Contains(bed.Logs, l => l.Contains("Stopping: draining", StringComparison.Ordinal));

        // Published by the process before it exited: every request has its one completed outcome.
        var outcomes = await bed.OutcomesAsync(Requests, TimeSpan.FromSeconds(30));
        Assert.Empty(outcomes.Failed);
        Assert.Equal(requests.Select(r => r.RequestId).Order(), outcomes.Completed.Select(c => c.RequestId).Order());
        Assert.All(bed.Simulators.Replicate.Jobs, j => Assert.Null(j.CanceledAt));
        Assert.Equal(Requests, bed.Simulators.Replicate.Jobs.Count);

        // And committed: a processor starting now would find nothing left to do.
        Assert.Equal(0, CommittedLag(bed, bed.Prefix + "processor", bed.Topic(Topics.Requested)));
    }

    /// <summary>Records of the topic beyond the group's committed offsets, over all partitions.</summary>
    private static long CommittedLag(PipelineTestbed bed, string group, string topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bed.Stack.Kafka.BootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bed.Stack.Kafka.BootstrapServers }).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
        return partitions.Sum(p =>
        {
            var end = consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value;
            var offset = committed.Single(c => c.TopicPartition == p).Offset;
            return end - (offset == Offset.Unset ? 0 : offset.Value);
        });
    }
}
