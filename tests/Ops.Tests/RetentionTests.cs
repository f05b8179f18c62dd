using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Xunit.Abstractions;
using ErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;

namespace CinematicSwitch.Ops.Tests;

/// <summary>
/// What retention means for operators, against the shared stack's S3 (s3rver) and topics: a replay refuses a request
/// whose input is gone before publishing anything, and tenant delete removes exactly one tenant's objects.
/// </summary>
[Trait("Category", "Stack")]
public sealed class RetentionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_failed_request_whose_input_is_gone_is_refused_as_INPUT_EXPIRED_and_nothing_is_published_for_it()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-expired", partitions: 1, latencyMs: 0);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        var kept = PipelineTestbed.Request("tenant-a", await bed.UploadImageAsync("tenant-a"), "a medieval knight in a castle");
        var expired = PipelineTestbed.Request("tenant-b", await bed.UploadImageAsync("tenant-b"), "a 1920s flapper in a speakeasy");
        await PublishFailedAsync(bed, kept);
        await PublishFailedAsync(bed, expired);
        await bed.Store.DeleteAsync(S3ObjectRef.Parse(expired.Media!.Uri), CancellationToken.None);
        var requested = await RecordCountAsync(bed, Topics.Requested);

        // The dry run already says which one cannot be replayed.
        var dryRun = await ops.RunAsync("failed", "replay", "--json");
        Log(dryRun);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Equal(RetentionCodes.InputExpired, Item(dryRun, expired.RequestId).GetProperty("reason").GetString());
        Assert.Equal("replay", Item(dryRun, kept.RequestId).GetProperty("action").GetString());

        var replayed = await ops.RunAsync("failed", "replay", "--yes", "--json");
        Log(replayed);
        Assert.Equal(0, replayed.ExitCode);
        var refused = Item(replayed, expired.RequestId);
        Assert.Equal("skip", refused.GetProperty("action").GetString());
        Assert.Equal(RetentionCodes.InputExpired, refused.GetProperty("reason").GetString());
        Assert.Equal(1, replayed.JsonSummary().GetProperty("replayed").GetInt32());
        Assert.Equal(1, replayed.JsonSummary().GetProperty("skipped").GetProperty(RetentionCodes.InputExpired).GetInt32());

        // Only the request whose input exists was published again.
        var records = await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.Requested), (int)requested + 1);
        var replay = Assert.Single(records.Skip((int)requested));
        var decoded = await bed.Serdes.Deserializer<TransformationRequested>().DeserializeAsync(replay.Message.Value, false,
            new SerializationContext(MessageComponentType.Value, replay.Topic, replay.Message.Headers));
        Assert.Equal(kept.RequestId, decoded.RequestId);

        // The text answer names the request and the code too.
        var text = await ops.RunAsync("failed", "replay", "--tenant", "tenant-b");
        Log(text);
        Assert.Contains($"skip: {RetentionCodes.InputExpired}", text.Out, StringComparison.Ordinal);
        Assert.Contains(expired.RequestId.ToString(), text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_delete_counts_in_a_dry_run_and_then_deletes_that_tenants_objects_and_no_one_elses()
    {
        await using var bed = await PipelineTestbed.StartAsync("ops-erase", partitions: 1, latencyMs: 0);
        using var ops = await OpsHarness.ForAsync(bed, partitions: 1);
        // Tenant ids of this run only: the buckets are shared with every other test. "…t1" is a prefix of "…t10".
        var run = Guid.NewGuid().ToString("N")[..8];
        var (t1, t10) = ($"r{run}-t1", $"r{run}-t10");
        var store = bed.Store;
        var ownInputs = new[] { await PutAsync(store, store.Options.InputsBucket, $"{t1}/{Guid.NewGuid()}/input.png", 100),
            await PutAsync(store, store.Options.InputsBucket, $"{t1}/{Guid.NewGuid()}/input.mp4", 250) };
        var ownArchive = await PutAsync(store, store.Options.ArchiveBucket, $"{t1}/{Guid.NewGuid()}/0.png", 40);
        var others = new[] { await PutAsync(store, store.Options.InputsBucket, $"{t10}/{Guid.NewGuid()}/input.png", 70),
            await PutAsync(store, store.Options.ArchiveBucket, $"{t10}/{Guid.NewGuid()}/0.png", 30),
            await PutAsync(store, store.Options.InputsBucket, $"{t1}-x/{Guid.NewGuid()}/input.png", 10) };
        await bed.PublishAsync(PipelineTestbed.Request(t1, null, "a medieval knight in a castle", task: TransformationTask.TextToVideo));
        await bed.PublishAsync(PipelineTestbed.Request(t10, null, "a 1920s flapper in a speakeasy", task: TransformationTask.TextToVideo));

        var dryRun = await ops.RunAsync("tenant", "delete", "--tenant", t1, "--dry-run", "--json");
        Log(dryRun);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.True(dryRun.Json.GetProperty("dryRun").GetBoolean());
        var buckets = dryRun.Json.GetProperty("buckets").EnumerateArray().ToDictionary(b => b.GetProperty("bucket").GetString()!);
        Assert.Equal(2, buckets[store.Options.InputsBucket].GetProperty("objects").GetInt32());
        Assert.Equal(350, buckets[store.Options.InputsBucket].GetProperty("bytes").GetInt64());
        Assert.Equal(1, buckets[store.Options.ArchiveBucket].GetProperty("objects").GetInt32());
        Assert.Equal(40, buckets[store.Options.ArchiveBucket].GetProperty("bytes").GetInt64());
        Assert.All(buckets.Values, b => Assert.Equal(0, b.GetProperty("deleted").GetInt32()));
        var requestedTopic = dryRun.Json.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic").GetString() == bed.Topic(Topics.Requested));
        Assert.Equal(1, requestedTopic.GetProperty("records").GetInt64());
        foreach (var location in ownInputs.Append(ownArchive).Concat(others))
        {
            Assert.True(await ExistsAsync(store, location), $"The dry run deleted {location}.");
        }

        var text = await ops.RunAsync("tenant", "delete", "--tenant", t1);
        Log(text);
        Assert.Contains("Dry run: 3 object(s), 390 bytes, would be deleted", text.Out, StringComparison.Ordinal);

        var deleted = await ops.RunAsync("tenant", "delete", "--tenant", t1, "--yes", "--json");
        Log(deleted);
        Assert.Equal(0, deleted.ExitCode);
        Assert.Equal(3, deleted.Json.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("deleted").GetInt32()));
        foreach (var location in ownInputs.Append(ownArchive))
        {
            Assert.False(await ExistsAsync(store, location), $"{location} of {t1} is still there.");
        }

        foreach (var location in others)
        {
            Assert.True(await ExistsAsync(store, location), $"{location}, not of {t1}, was deleted.");
        }

        // Nothing is left to delete; a pattern or a path is no tenant id.
        var again = await ops.RunAsync("tenant", "delete", "--tenant", t1, "--yes", "--json");
        Assert.Equal(0, again.Json.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("objects").GetInt32()));
        foreach (var bad in new[] { $"r{run}-t1*", "..", $"{t1}/x", "" })
        {
            var refused = await ops.RunAsync("tenant", "delete", "--tenant", bad, "--yes");
            Assert.Equal(2, refused.ExitCode);
        }

        Assert.Equal(2, (await ops.RunAsync("tenant", "delete", "--tenant", t10, "--yes", "--dry-run")).ExitCode);
        foreach (var location in others)
        {
            Assert.True(await ExistsAsync(store, location), $"{location} was deleted by a refused command.");
        }
    }

    private static async Task PublishFailedAsync(PipelineTestbed bed, TransformationRequested request)
    {
        var failed = new TransformationFailed(request.RequestId, request.TenantId, request.CorrelationId, request.Requester, DateTimeOffset.UtcNow,
            FailureStage.Processing, new ErrorInfo(ErrorCode.TimeoutError, UserMessages.Timeout, Provider.Replicate, null, new Dictionary<string, string>()), request);
        var topic = bed.Topic(Topics.Failed);
        var bytes = await bed.Serdes.Serializer<TransformationFailed>().SerializeAsync(failed, new SerializationContext(MessageComponentType.Value, topic));
        await bed.PublishRawAsync(request.TenantId, bytes, Topics.Failed);
    }

    private static async Task<S3ObjectRef> PutAsync(ObjectStore store, string bucket, string key, int size)
    {
        using var content = new MemoryStream(new byte[size]);
        return await store.PutAsync(bucket, key, content, "application/octet-stream", null, CancellationToken.None);
    }

    private static async Task<bool> ExistsAsync(ObjectStore store, S3ObjectRef location)
    {
        var listing = await store.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = location.Bucket, Prefix = location.Key });
        return (listing.S3Objects ?? []).Any(o => o.Key == location.Key);
    }

    private static System.Text.Json.JsonElement Item(OpsResult result, Guid requestId) =>
        result.Json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("failure").GetProperty("requestId").GetGuid() == requestId);

    private static async Task<long> RecordCountAsync(PipelineTestbed bed, string contractTopic) =>
        (await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(contractTopic), 0)).Count;

    private void Log(OpsResult result) => output.WriteLine(result.ToString());
}
