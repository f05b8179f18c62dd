using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Processor.Tests;

/// <summary>The processor as a process: outcomes, variations, partial success, invalid media, dead letters.</summary>
[Trait("Category", "Stack")]
public sealed class ProcessorOutcomeTests
{
    [Fact]
    public async Task Every_variation_is_delivered_and_a_partial_success_carries_warnings()
    {
        await using var bed = await PipelineTestbed.StartAsync("variations", partitions: 2, latencyMs: 200);
        bed.Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.PartialOutputs, PromptContains: "partial-case"));
        var media = await bed.UploadImagesAsync(["tenant-a", "tenant-b", "tenant-c"]);
        var three = PipelineTestbed.Request("tenant-a", media["tenant-a"], "a medieval knight in a castle, three takes", outputCount: 3);
        var five = PipelineTestbed.Request("tenant-b", media["tenant-b"], "a 1920s flapper in a speakeasy, five takes", outputCount: 5);
        var partial = PipelineTestbed.Request("tenant-c", media["tenant-c"], "an astronaut on the moon partial-case", outputCount: 4);
        foreach (var request in new[] { three, five, partial })
        {
            await bed.PublishAsync(request);
        }

        bed.StartProcessor("processor");
        var outcomes = await bed.OutcomesAsync(3, TimeSpan.FromSeconds(120));

        Assert.Empty(outcomes.Failed);
        var byId = outcomes.Completed.ToDictionary(c => c.RequestId);
        Assert.Equal(3, byId[three.RequestId].Outputs.Count);
        Assert.Equal(5, byId[five.RequestId].Outputs.Count);
        Assert.Equal([0, 1, 2, 3, 4], byId[five.RequestId].Outputs.Select(o => o.Index));
        Assert.Equal(2, byId[five.RequestId].ProviderJobIds.Count);
        Assert.All(byId.Values, c => Assert.Equal(Provider.Replicate, c.Provider));
        Assert.Empty(byId[three.RequestId].Warnings);
        Assert.Empty(byId[five.RequestId].Warnings);

        var partialOutcome = byId[partial.RequestId];
        Assert.InRange(partialOutcome.Outputs.Count, 1, 3);
        Assert.NotEmpty(partialOutcome.Warnings);
        Assert.All(partialOutcome.Warnings, w => Assert.StartsWith("Failed to generate variation", w, StringComparison.Ordinal));
        Assert.Equal(4, partialOutcome.RequestedCount);
        Assert.Equal(partial, partialOutcome.Request);

        // Each provider job was announced as it started, for the attempt it served, before its request's outcome.
        var started = await bed.StartedAsync(byId.Values.Sum(c => c.ProviderJobIds.Count), TimeSpan.FromSeconds(30));
        foreach (var completed in byId.Values)
        {
            var announced = started.Where(s => s.RequestId == completed.RequestId).OrderBy(s => s.Step).ToList();
            Assert.Equal(Enumerable.Range(0, completed.ProviderJobIds.Count), announced.Select(s => s.Step));
            Assert.All(announced, a =>
            {
                Assert.Equal((completed.TenantId, completed.CorrelationId, completed.Requester), (a.TenantId, a.CorrelationId, a.Requester));
                Assert.Equal((Provider.Replicate, completed.Model, completed.Request.OccurredAt), (a.Provider, a.Model, a.RequestOccurredAt));
                Assert.InRange(a.OccurredAt, completed.Request.OccurredAt, completed.OccurredAt);
            });
        }

        Assert.Equal(byId.Values.Sum(c => c.ProviderJobIds.Count), started.Count);
    }

    [Fact]
    public async Task Unreadable_media_fails_with_invalid_input_before_any_provider_call_and_a_replay_whose_input_is_gone_says_INPUT_EXPIRED()
    {
        await using var bed = await PipelineTestbed.StartAsync("invalid-media", partitions: 1, latencyMs: 50);
        var missing = new MediaReference($"s3://{bed.Store.Options.InputsBucket}/tenant-a/{bed.Prefix}nothing-here.png", "image/png", MediaKind.Image, 100, "00");
        var notMedia = await UploadTextAsync(bed);
        var missingRequest = PipelineTestbed.Request("tenant-a", missing, "a medieval knight in a castle");
        var textRequest = PipelineTestbed.Request("tenant-a", notMedia, "a medieval knight in a castle");
        var shortDescription = PipelineTestbed.Request("tenant-a", missing, "too short");
        // A replay whose input retention deleted since its first attempt (the ops command refuses it; one got through).
        var expiredReplay = PipelineTestbed.Request("tenant-a", missing, "a 1920s flapper in a speakeasy") with
        {
            Replay = new ReplayInfo(1, DateTimeOffset.UtcNow, "ops:test", ErrorCode.TimeoutError, UserMessages.Timeout),
        };
        foreach (var request in new[] { missingRequest, textRequest, shortDescription, expiredReplay })
        {
            await bed.PublishAsync(request);
        }

        bed.StartProcessor("processor");
        var outcomes = await bed.OutcomesAsync(4, TimeSpan.FromSeconds(120));

        Assert.Empty(outcomes.Completed);
        var byId = outcomes.Failed.ToDictionary(f => f.RequestId);
        Assert.All(byId.Values, f => Assert.Equal(ErrorCode.InvalidInput, f.Error.Code));
        Assert.Equal(UserMessages.MediaUpload, byId[missingRequest.RequestId].Error.Message);
        Assert.Equal(UserMessages.UnsupportedFormat, byId[textRequest.RequestId].Error.Message);
        Assert.Equal(UserMessages.TextValidation, byId[shortDescription.RequestId].Error.Message);
        Assert.Equal(textRequest, byId[textRequest.RequestId].Request);
        Assert.Equal(UserMessages.MediaUpload, byId[expiredReplay.RequestId].Error.Message);
        Assert.Equal(RetentionCodes.InputExpired, byId[expiredReplay.RequestId].Error.Details["code"]);
        Assert.False(byId[missingRequest.RequestId].Error.Details.ContainsKey("code"));
        Assert.Empty(bed.Simulators.Replicate.Jobs);
        Assert.Empty(await bed.StartedAsync(0, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_request_naming_another_tenants_objects_fails_with_invalid_input_and_reaches_no_provider()
    {
        await using var bed = await PipelineTestbed.StartAsync("cross-tenant", partitions: 1, latencyMs: 50);
        var own = await bed.UploadImageAsync("t00");
        var theirs = await bed.UploadImageAsync("t01");
        var ownArchived = await PutArchivedAsync(bed, "t00");
        var theirArchived = await PutArchivedAsync(bed, "t01");
        var inputs = bed.Store.Options.InputsBucket;
        var theirKey = S3Uri(theirs).Key;
        var s3 = new Uri(bed.Stack.S3.Options.ServiceUrl!);
        var attacks = new Dictionary<string, (string Tenant, MediaReference Media)>
        {
            ["their input"] = ("t00", theirs),
            ["their archived output"] = ("t00", theirArchived),
            ["their input by a path through ours"] = ("t00", theirs with { Uri = $"s3://{inputs}/t00/../{theirKey}" }),
            ["an object in another bucket"] = ("t00", theirs with { Uri = $"s3://some-other-bucket/t00/{theirKey}" }),
            ["their input as a URL of the project's S3"] = ("t00", theirs with { Uri = $"https://{s3.Host}:{s3.Port}/{inputs}/{theirKey}" }),
            ["the cloud metadata service"] = ("t00", theirs with { Uri = "https://169.254.169.254/latest/meta-data/photo.png" }),
            // t0's prefix is "t0/": "t00/..." only starts with the same characters.
            ["a tenant whose id begins another's"] = ("t0", own),
        };
        var refused = attacks.ToDictionary(a => a.Key, a => PipelineTestbed.Request(a.Value.Tenant, a.Value.Media, $"a medieval knight in a castle, {a.Key}"));
        var allowed = new[]
        {
            PipelineTestbed.Request("t00", own, "a medieval knight in a castle, our own input"),
            PipelineTestbed.Request("t00", ownArchived, "a medieval knight in a castle, our own archived output"),
        };
        foreach (var request in refused.Values.Concat(allowed))
        {
            await bed.PublishAsync(request);
        }

        bed.StartProcessor("processor");
        var outcomes = await bed.OutcomesAsync(refused.Count + allowed.Length, TimeSpan.FromSeconds(120));

        Assert.Equal(allowed.Select(r => r.RequestId).Order(), outcomes.Completed.Select(c => c.RequestId).Order());
        var failed = outcomes.Failed.ToDictionary(f => f.RequestId);
        foreach (var (attack, request) in refused)
        {
            var error = failed[request.RequestId].Error;
            Assert.Equal(ErrorCode.InvalidInput, error.Code);
            Assert.Equal(UserMessages.MediaUpload, error.Message);
            Assert.Equal("media", error.Details["field"]);
            Assert.True(error.Details["reason"].Contains($"not under the request's own tenant prefix ({request.TenantId}/)", StringComparison.Ordinal)
                || error.Details["reason"].Contains("not in the inputs or archive bucket", StringComparison.Ordinal)
                || error.Details["reason"].StartsWith("the media URL is not one the processor fetches", StringComparison.Ordinal), $"{attack}: {error.Details["reason"]}");
        }

        Assert.Equal(allowed.Length, bed.Simulators.Replicate.Jobs.Count);
        Assert.All(bed.Simulators.Replicate.Jobs, j => Assert.Contains("our own", j.Prompt, StringComparison.Ordinal));
    }

    private static S3ObjectRef S3Uri(MediaReference media) => S3ObjectRef.Parse(media.Uri);

    /// <summary>An image where the archiver would have put a tenant's output.</summary>
    private static async Task<MediaReference> PutArchivedAsync(PipelineTestbed bed, string tenant)
    {
        var png = MediaStore.Png(64, 48);
        await using var content = new MemoryStream(png);
        var location = await bed.Store.PutAsync(bed.Store.Options.ArchiveBucket, $"{tenant}/{bed.Prefix}{Guid.NewGuid():D}/0.png", content, "image/png", null,
            CancellationToken.None);
        return new MediaReference(location.Uri, "image/png", MediaKind.Image, png.Length, "00");
    }

    [Fact]
    public async Task An_undecodable_record_is_dead_lettered_and_the_partition_keeps_moving()
    {
        await using var bed = await PipelineTestbed.StartAsync("dlq", partitions: 1, latencyMs: 50);
        var media = await bed.UploadImageAsync("tenant-a");
        await bed.PublishRawAsync("tenant-a", Encoding.UTF8.GetBytes("{\"not\":\"avro\"}"));
        var after = PipelineTestbed.Request("tenant-a", media, "a medieval knight in a castle");
        await bed.PublishAsync(after);

        bed.StartProcessor("processor");
        var outcomes = await bed.OutcomesAsync(1, TimeSpan.FromSeconds(120));

        Assert.Equal(after.RequestId, Assert.Single(outcomes.Completed).RequestId);
        var dead = Assert.Single(await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.RequestedDeadLetters), 1));
        Assert.Equal("{\"not\":\"avro\"}", Encoding.UTF8.GetString(dead.Message.Value));
        Assert.Equal("tenant-a", dead.Message.Key);
        Assert.True(dead.Message.Headers.TryGetLastBytes(StreamHeaders.DeadLetterReason, out var reason));
        Assert.Contains("magic byte", Encoding.UTF8.GetString(reason), StringComparison.OrdinalIgnoreCase);
        Assert.True(dead.Message.Headers.TryGetLastBytes(StreamHeaders.DeadLetterOriginalOffset, out var offset));
        Assert.Equal("0", Encoding.UTF8.GetString(offset));
    }

    private static async Task<MediaReference> UploadTextAsync(PipelineTestbed bed)
    {
        var bytes = Encoding.UTF8.GetBytes("this is a text file pretending to be a picture");
        await using var content = new MemoryStream(bytes);
        var location = await bed.Store.PutAsync(bed.Store.Options.InputsBucket, $"tenant-a/{bed.Prefix}fake.png", content, "image/png", null, CancellationToken.None);
        return new MediaReference(location.Uri, "image/png", MediaKind.Image, bytes.Length, "00");
    }
}
