using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Xunit.Abstractions;

namespace CinematicSwitch.Ops.Tests;

/// <summary>
/// dlq list / show / replay against the processor running as a process, with two causes an operator can fix:
/// an output schema that was not registered (the processor does not register schemas itself), and a processor
/// deployed against the wrong schema registry.
/// </summary>
[Trait("Category", "Stack")]
public sealed class DeadLetterReplayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_request_dead_lettered_for_an_unregistered_schema_completes_as_a_new_attempt_once_the_schema_is_registered()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-dlq-schema", partitions: 1, latencyMs: 50);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        var media = await bed.UploadImageAsync("tenant-a");
        var request = PipelineTestbed.Request("tenant-a", media, "a medieval knight in a castle, schema-case");
        await bed.PublishAsync(request);
        bed.StartProcessor("processor", new Dictionary<string, string>
        {
            ["SchemaRegistry:AutoRegisterSchemas"] = "false",
            ["Processor:Stream:MaxAttempts"] = "2",
            ["Processor:Stream:RetryBackoff"] = "00:00:00.200",
        });
        var dead = Assert.Single(await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers,
            bed.Topic(Topics.RequestedDeadLetters), 1, timeout: TimeSpan.FromSeconds(120)));
        var deadLetter = $"{dead.Topic}/{dead.Partition.Value}/{dead.Offset.Value}";

        var listed = await ops.RunAsync("dlq", "list", "--json", "--reason", "processing-failed");
        Log(listed);
        var letter = Assert.Single(listed.Json.GetProperty("deadLetters").EnumerateArray());
        Assert.Equal(deadLetter, letter.GetProperty("record").GetString());
        Assert.Equal("pending", letter.GetProperty("state").GetString());
        Assert.Equal($"{bed.Topic(Topics.Requested)}/0/0", letter.GetProperty("source").GetString());
        Assert.Equal("tenant-a", letter.GetProperty("key").GetString());

        // The dry run says what it would do, and does nothing.
        var requested = await RecordsAsync(bed, Topics.Requested);
        var dryRun = await ops.RunAsync("dlq", "replay");
        Log(dryRun);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Contains("replay as attempt 1", dryRun.Out, StringComparison.Ordinal);
        Assert.Contains("Dry run: 1 would be replayed", dryRun.Out, StringComparison.Ordinal);
        Assert.Equal(requested.Count, (await RecordsAsync(bed, Topics.Requested)).Count);

        // The fix: the schema is registered, as CI registers schemas where serializers may not.
        using (var registry = new CachedSchemaRegistryClient(new SchemaRegistryOptions { Url = bed.Stack.SchemaRegistry.Url }.ClientConfig()))
        {
            await registry.RegisterSchemaAsync(bed.Topic(Topics.Completed) + "-value", new Schema(EventSchemas.JsonFor(typeof(TransformationCompleted)), SchemaType.Avro));
        }

        var replayed = await ops.RunAsync("dlq", "replay", "--yes", "--json");
        Log(replayed);
        Assert.Equal(0, replayed.ExitCode);
        Assert.Equal(1, replayed.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal("new-attempt", Assert.Single(replayed.Json.GetProperty("items").EnumerateArray()).GetProperty("mode").GetString());

        var outcomes = await bed.OutcomesAsync(1, TimeSpan.FromSeconds(120));
        var completed = Assert.Single(outcomes.Completed);
        Assert.Equal(request.RequestId, completed.RequestId);
        Assert.Equal(1, completed.Request.Replay!.ReplayCount);
        Assert.StartsWith("dead-lettered: processing-failed", completed.Request.Replay.PreviousErrorMessage, StringComparison.Ordinal);
        Assert.Empty(outcomes.Failed);
        // The dead-lettered attempt's job, and the new attempt's.
        Assert.Equal(2, bed.Simulators.Replicate.Jobs.Count);

        // The replay says where it came from; a second replay does nothing.
        var replay = (await RecordsAsync(bed, Topics.Requested)).Last();
        Assert.Equal(deadLetter, Header(replay, ReplayHeaders.ReplayedFrom));
        Assert.Equal($"{request.RequestId:N}#1", Header(replay, ReplayHeaders.ReplayIdentity));
        var again = await ops.RunAsync("dlq", "replay", "--yes", "--json");
        Assert.Equal(0, again.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, again.JsonSummary().GetProperty("skipped").GetProperty("already-replayed").GetInt32());
        Assert.Equal(requested.Count + 1, (await RecordsAsync(bed, Topics.Requested)).Count);
        var state = Assert.Single((await ops.RunAsync("dlq", "list", "--json")).Json.GetProperty("deadLetters").EnumerateArray());
        Assert.Equal("replayed", state.GetProperty("state").GetString());
    }

    [Fact]
    public async Task An_undecodable_request_goes_back_byte_for_byte_once_the_processor_reads_the_right_registry()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-dlq-registry", partitions: 1, latencyMs: 50);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        await using var wrongRegistry = await TestSchemaRegistry.StartServerAsync(bed.Stack.Kafka, TestKafka.NewPrefix("wrong") + "_schemas", CancellationToken.None);
        var media = await bed.UploadImageAsync("tenant-a");
        var request = PipelineTestbed.Request("tenant-a", media, "a 1920s flapper in a speakeasy, registry-case");
        await bed.PublishAsync(request);
        await bed.PublishRawAsync("tenant-b", Encoding.UTF8.GetBytes("{\"not\":\"avro\"}"));

        var misconfigured = bed.StartProcessor("processor-1", new Dictionary<string, string> { ["SchemaRegistry:Url"] = wrongRegistry.Url });
        var dead = await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.RequestedDeadLetters), 2,
            timeout: TimeSpan.FromSeconds(120));
        Assert.Equal(2, dead.Count);
        await misconfigured.StopAsync(TimeSpan.FromSeconds(30));

        var shown = await ops.RunAsync("dlq", "show", $"requested/0/{dead[0].Offset.Value}", "--json");
        Log(shown);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("undecodable", shown.Json.GetProperty("deadLetter").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(request.RequestId, shown.Json.GetProperty("request").GetProperty("requestId").GetGuid());
        var garbage = await ops.RunAsync("dlq", "show", $"{bed.Topic(Topics.RequestedDeadLetters)}/0/{dead[1].Offset.Value}", "--json");
        Assert.Contains("magic byte", garbage.Json.GetProperty("decodeError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(5, (await ops.RunAsync("dlq", "show", "requested/0/99")).ExitCode);
        var text = await ops.RunAsync("dlq", "show", $"requested/0/{dead[0].Offset.Value}");
        Log(text);
        Assert.Contains("dlq-original-offset", text.Out, StringComparison.Ordinal);
        Assert.Contains("Unknown schema id", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(request.SceneDescription, text.Out, StringComparison.Ordinal);

        // The fix: the processor is deployed with the right registry. Only the record that now decodes goes back.
        bed.StartProcessor("processor-2");
        var replayed = await ops.RunAsync("dlq", "replay", "--yes", "--json", "--topic", "requested", "--reason", "undecodable");
        Log(replayed);
        Assert.Equal(1, replayed.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, replayed.JsonSummary().GetProperty("skipped").GetProperty("still-undecodable").GetInt32());
        Assert.Equal("as-is", replayed.Json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("action").GetString() == "replay")
            .GetProperty("mode").GetString());

        var outcomes = await bed.OutcomesAsync(1, TimeSpan.FromSeconds(120));
        var completed = Assert.Single(outcomes.Completed);
        Assert.Equal(request.RequestId, completed.RequestId);
        Assert.Null(completed.Request.Replay);

        var back = (await RecordsAsync(bed, Topics.Requested)).Last();
        Assert.Equal(dead[0].Message.Value, back.Message.Value);
        Assert.Equal("tenant-a", back.Message.Key);
        Assert.Equal($"{dead[0].Topic}/0/{dead[0].Offset.Value}", Header(back, ReplayHeaders.ReplayedFrom));
        Assert.Equal("1", Header(back, ReplayHeaders.DeadLetterReplays));
        Assert.False(back.Message.Headers.TryGetLastBytes("dlq-reason", out _));

        var again = await ops.RunAsync("dlq", "replay", "--yes", "--json");
        Assert.Equal(0, again.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, again.JsonSummary().GetProperty("skipped").GetProperty("already-replayed").GetInt32());
    }

    [Fact]
    public async Task A_completed_event_the_archiver_dead_lettered_goes_back_as_it_is_and_is_archived_and_charged_once()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-dlq-archiver", partitions: 1, latencyMs: 50);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        var media = await bed.UploadImageAsync("tenant-a");
        var request = PipelineTestbed.Request("tenant-a", media, "a western gunslinger at high noon, archiver-case");
        await bed.PublishAsync(request);
        bed.StartProcessor("processor");
        var archiver = new Dictionary<string, string>
        {
            ["SchemaRegistry:AutoRegisterSchemas"] = "false",
            ["Archiver:Stream:MaxAttempts"] = "2",
            ["Archiver:Stream:RetryBackoff"] = "00:00:00.200",
        };
        var origins = bed.Simulators.All.Select(s => s.Origin.GetLeftPart(UriPartial.Authority)).ToList();
        for (var i = 0; i < origins.Count; i++)
        {
            archiver[$"Archiver:Download:LoopbackOrigins:{i}"] = origins[i];
        }

        bed.StartService("Archiver", "archiver", archiver);
        var dead = Assert.Single(await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers,
            bed.Topic(Topics.CompletedDeadLetters), 1, timeout: TimeSpan.FromSeconds(120)));
        Assert.StartsWith("processing-failed", Header(dead, "dlq-reason"), StringComparison.Ordinal);

        // The fix: the archiver's output schemas are registered. The dead letter is a completed event: it goes back as it is,
        // and the archiver, which remembers that event as dead-lettered, runs it again.
        using (var registry = new CachedSchemaRegistryClient(new SchemaRegistryOptions { Url = bed.Stack.SchemaRegistry.Url }.ClientConfig()))
        {
            await registry.RegisterSchemaAsync(bed.Topic(Topics.Archived) + "-value", new Schema(EventSchemas.JsonFor(typeof(TransformationArchived)), SchemaType.Avro));
            await registry.RegisterSchemaAsync(bed.Topic(Topics.CreditsRecorded) + "-value", new Schema(EventSchemas.JsonFor(typeof(CreditsRecorded)), SchemaType.Avro));
        }

        var replayed = await ops.RunAsync("dlq", "replay", "--yes", "--json", "--topic", "completed");
        Log(replayed);
        Assert.Equal(1, replayed.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal("as-is", Assert.Single(replayed.Json.GetProperty("items").EnumerateArray()).GetProperty("mode").GetString());

        var archived = await TopicReader.ReadAsync<string, TransformationArchived>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.Archived), 1,
            bed.Serdes.Deserializer<TransformationArchived>(), TimeSpan.FromSeconds(120));
        Assert.Equal(request.RequestId, Assert.Single(archived).Message.Value.RequestId);
        var credits = await TopicReader.ReadAsync<string, CreditsRecorded>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.CreditsRecorded), 1,
            bed.Serdes.Deserializer<CreditsRecorded>(), TimeSpan.FromSeconds(60));
        Assert.Equal(request.RequestId, Assert.Single(credits).Message.Value.RequestId);

        var again = await ops.RunAsync("dlq", "replay", "--yes", "--json", "--topic", "completed");
        Assert.Equal(0, again.JsonSummary().GetProperty("replayed").GetInt32());
    }

    private static Task<List<ConsumeResult<string, byte[]>>> RecordsAsync(PipelineTestbed bed, string contractTopic) =>
        TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(contractTopic), 0);

    private static string? Header(ConsumeResult<string, byte[]> record, string key) =>
        record.Message.Headers.TryGetLastBytes(key, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;

    private void Log(OpsResult result) => output.WriteLine(result.ToString());
}
