using System.Security.Cryptography;
using CinematicSwitch.Archiver.Tests.Support;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace CinematicSwitch.Archiver.Tests;

/// <summary>The archiver as its own process against the shared cluster, s3rver, the registry and the provider simulators.</summary>
[Trait("Category", "Stack")]
public sealed class ArchiverServiceTests(ITestOutputHelper log)
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Archived_bytes_equal_the_providers_with_metadata_and_presigned_links_and_credits_are_recorded()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("archive");
        var images = await testbed.Outputs.ReplicateImagesAsync(3, "webp");
        var png = await testbed.Outputs.ReplicateImagesAsync(1, "png");
        var video = await testbed.Outputs.RunwayVideoAsync(5);
        var imageRequest = TestEvents.Completed("tenant-a", Provider.Replicate, "black-forest-labs/flux-dev",
            [.. images.Concat(png).Select(u => (u, MediaKind.Image))], 0.1m, "usd");
        var videoRequest = TestEvents.Completed("tenant-b", Provider.Runway, "gen4.5", [(video, MediaKind.Video)], 25m, "runway_credits");

        var archiver = testbed.StartArchiver();
        await testbed.PublishAsync([imageRequest, videoRequest]);
        var archived = await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 2);
        var credits = await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 2);

        Assert.Equal(2, archived.Count);
        var store = testbed.Pipeline.Store;
        long totalBytes = 0;
        foreach (var completed in new[] { imageRequest, videoRequest })
        {
            var @event = Assert.Single(archived, a => a.Value.RequestId == completed.RequestId).Value;
            Assert.Equal((completed.TenantId, completed.CorrelationId, completed.Requester, completed.Provider, completed.Model),
                (@event.TenantId, @event.CorrelationId, @event.Requester, @event.Provider, @event.Model));
            Assert.Equal(completed.Outputs.Select(o => o.Index), @event.Outputs.Select(o => o.Index));
            foreach (var output in @event.Outputs)
            {
                var source = completed.Outputs[output.Index];
                var original = await ProviderOutputs.BytesAsync(source.Url);
                var sha256 = Convert.ToHexStringLower(SHA256.HashData(original));
                var extension = output.ContentType switch { "image/webp" => "webp", "image/png" => "png", _ => "mp4" };
                Assert.Equal($"s3://{store.Options.ArchiveBucket}/{completed.TenantId}/{completed.RequestId:D}/{output.Index}.{extension}", output.S3Uri);
                Assert.Equal((sha256, (long)original.Length, source.Kind, source.Url), (output.Sha256, output.SizeBytes, output.Kind, output.SourceUrl));

                using var stored = await store.GetAsync(S3ObjectRef.Parse(output.S3Uri), CancellationToken.None);
                using var copy = new MemoryStream();
                await stored.ResponseStream.CopyToAsync(copy);
                Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(copy.ToArray())));
                Assert.Equal(output.ContentType, stored.Headers.ContentType);
                Assert.Equal(completed.RequestId.ToString("D"), stored.Metadata["request-id"]);
                Assert.Equal(completed.Provider.ToString(), stored.Metadata["provider"]);
                Assert.Equal(completed.Model, stored.Metadata["model"]);
                Assert.Equal(sha256, stored.Metadata["sha256"]);

                Assert.NotNull(output.HttpsUrl);
                Assert.True(output.HttpsUrlExpiresAt > DateTimeOffset.UtcNow);
                Assert.Equal(original, await Http.GetByteArrayAsync(output.HttpsUrl));
                totalBytes += original.Length;
            }
        }

        Assert.Equal(["image/png", "image/webp", "image/webp", "image/webp", "video/mp4"],
            archived.SelectMany(a => a.Value.Outputs).Select(o => o.ContentType).Order());
        Assert.Equal(2, credits.Count);
        foreach (var completed in new[] { imageRequest, videoRequest })
        {
            var entry = Assert.Single(credits, c => c.Value.RequestId == completed.RequestId);
            Assert.Equal(completed.TenantId, entry.Key);
            Assert.Equal((completed.Request.Task, completed.Provider, completed.Model, completed.Credits, completed.CreditUnit, completed.CreditSource),
                (entry.Value.Task, entry.Value.Provider, entry.Value.Model, entry.Value.Credits, entry.Value.CreditUnit, entry.Value.CreditSource));
        }

        Assert.Equal(totalBytes, await archiver.MetricAsync("cinematic_archiver_bytes_archived_bytes_total"));
        Assert.Equal(5, await archiver.MetricAsync("cinematic_archiver_outputs_archived_total"));
        Assert.Equal(25.1, await archiver.MetricAsync("cinematic_archiver_credits_recorded_total"), 6);
        Assert.Equal(2, await archiver.MetricAsync("cinematic_archiver_requests_total", "outcome=archived"));
        Assert.Equal(0, await archiver.MetricAsync("cinematic_archiver_download_failures_total"));
    }

    [Fact]
    public async Task The_same_completed_event_delivered_twice_records_credits_once_while_a_replay_is_charged_again()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("duplicate");
        var image = (await testbed.Outputs.ReplicateImagesAsync(1, "png"))[0];
        var completed = TestEvents.Completed("tenant-d", Provider.Replicate, "black-forest-labs/flux-dev", [(image, MediaKind.Image)], 0.025m, "usd");
        var replay = TestEvents.Completed("tenant-d", Provider.Replicate, "black-forest-labs/flux-dev", [(image, MediaKind.Image)], 0.025m, "usd",
            requestId: completed.RequestId, replayCount: 1);

        testbed.StartArchiver();
        await testbed.PublishAsync([completed, completed]);
        await testbed.WaitForCommittedAsync(2, TimeSpan.FromSeconds(60));
        await testbed.PublishAsync([replay, completed]);
        await testbed.WaitForCommittedAsync(4, TimeSpan.FromSeconds(60));

        var credits = await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 2);
        var archived = await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 2);
        Assert.Equal([$"{completed.RequestId:N}#0", $"{completed.RequestId:N}#1"], credits.Select(c => c.Identity).Order());
        Assert.All(credits, c => Assert.Equal(completed.RequestId, c.Value.RequestId));
        Assert.Equal([$"{completed.RequestId:N}#0", $"{completed.RequestId:N}#1"], archived.Select(a => a.Identity).Order());
        // The replay archived to the same keys: the archive holds one copy per request.
        Assert.Equal(archived[0].Value.Outputs[0].S3Uri, archived[1].Value.Outputs[0].S3Uri);
    }

    [Fact]
    public async Task An_expired_url_is_retried_until_the_deadline_then_the_request_fails_at_archiving_with_its_credits_recorded()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("expired");
        await using var provider = await LoopbackServer.StartAsync(context =>
        {
            // What an expired signed link answers (S3/CloudFront style).
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "application/xml";
            return context.Response.WriteAsync("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
        });
        var completed = TestEvents.Completed("tenant-e", Provider.Runway, "gen4.5",
            [(provider.Url("ad0e7fa4.mp4?_jwt=expired-token"), MediaKind.Video)], 5m, "runway_credits");

        var archiver = testbed.StartArchiver([provider.OriginText]);
        await testbed.PublishAsync([completed]);
        var failed = Assert.Single(await testbed.ReadAsync<TransformationFailed>(Topics.Failed, 1)).Value;
        var credits = await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 1);
        await testbed.WaitForCommittedAsync(1, TimeSpan.FromSeconds(30));

        Assert.Equal(FailureStage.Archiving, failed.Stage);
        Assert.Equal(ErrorCode.ProviderError, failed.Error.Code);
        Assert.Equal("The output could not be archived: the provider's link expired or the output was removed.", failed.Error.Message);
        Assert.Equal(403, failed.Error.HttpStatus);
        Assert.Equal(Provider.Runway, failed.Error.Provider);
        Assert.Equal("expired", failed.Error.Details["reason"]);
        Assert.Equal("0", failed.Error.Details["failed_outputs"]);
        Assert.Equal(provider.Requests.ToString(), failed.Error.Details["attempts"]);
        Assert.True(provider.Requests > 1, "retried with backoff before giving up");
        Assert.Equal((completed.RequestId, completed.TenantId, completed.CorrelationId), (failed.RequestId, failed.TenantId, failed.CorrelationId));
        Assert.Equal(completed.Request.RequestId, failed.Request.RequestId);
        Assert.Equal(completed.Request.SceneDescription, failed.Request.SceneDescription);
        Assert.Equal(completed.Request.Media, failed.Request.Media);
        Assert.Equal(completed.RequestId, Assert.Single(credits).Value.RequestId);
        Assert.Empty(await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 0));
        Assert.Equal(provider.Requests, await archiver.MetricAsync("cinematic_archiver_download_failures_total", "reason=expired"));
        Assert.Equal(1, await archiver.MetricAsync("cinematic_archiver_requests_total", "outcome=failed"));
        // The link's token is neither in the event's error nor in the logs.
        Assert.DoesNotContain("expired-token", string.Join(" ", failed.Error.Details.Values), StringComparison.Ordinal);
        Assert.DoesNotContain(testbed.Pipeline.Logs, line => line.Contains("expired-token", StringComparison.Ordinal));
    }

    /// <summary>
    /// One video per request (issue 18, REQ3/REQ6/REQ12-14): two 8 s keyframed clips of a 15 s loop become one H.264 24 fps
    /// MP4 of 15 s that ends on the frame it starts with; a 12 s video from 8 + 8 s clips is cut to 12 s.
    /// </summary>
    [Fact]
    public async Task A_chained_video_is_archived_as_one_H264_24fps_MP4_of_the_requested_length_and_a_loop_ends_on_its_first_frame()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("chained");
        var clips = new[] { await testbed.Outputs.RunwayLoopClipAsync(8), await testbed.Outputs.RunwayLoopClipAsync(8) };
        var loop = TestEvents.ChainedVideo("tenant-l", clips, 15, loop: true);
        var cut = TestEvents.ChainedVideo("tenant-c", clips, 12, loop: false);

        testbed.StartArchiver();
        await testbed.PublishAsync([loop, cut]);
        var archived = await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 2);

        var looped = Assert.Single(Assert.Single(archived, a => a.Value.RequestId == loop.RequestId).Value.Outputs);
        var trimmed = Assert.Single(Assert.Single(archived, a => a.Value.RequestId == cut.RequestId).Value.Outputs);
        Assert.Equal((0, "video/mp4"), (looped.Index, looped.ContentType));
        var file = await DownloadAsync(testbed, looped.S3Uri);
        var facts = await VideoProbe.ProbeAsync(file);
        Assert.Equal(("h264", "24/1"), (facts.Codec, facts.FrameRate));
        Assert.Equal(15, facts.DurationSeconds, 0.5);
        Assert.True(facts.Width <= 1280 && facts.Height <= 768, $"{facts.Width}x{facts.Height} is beyond REQ12's 1280x768");
        Assert.Equal(16.0 / 9, (double)facts.Width / facts.Height, 0.02);
        var first = await VideoProbe.FrameAsync(file, TimeSpan.Zero);
        var last = await VideoProbe.LastFrameAsync(file);
        var middle = await VideoProbe.FrameAsync(file, TimeSpan.FromSeconds(3.5));
        log.WriteLine($"{facts.Text}first/last frame difference: {VideoProbe.Difference(first, last):P2}; first/middle: {VideoProbe.Difference(first, middle):P2}");
        Assert.True(VideoProbe.Difference(first, last) < 0.01, $"first and last frames differ by {VideoProbe.Difference(first, last):P1}");
        Assert.True(VideoProbe.Difference(first, middle) > 0.02, "the frames compared are all alike: the check would not notice a cut");
        Assert.Equal(12, (await VideoProbe.ProbeAsync(await DownloadAsync(testbed, trimmed.S3Uri))).DurationSeconds, 0.5);
    }

    private static async Task<string> DownloadAsync(ArchiverTestbed testbed, string s3Uri)
    {
        using var stored = await testbed.Pipeline.Store.GetAsync(S3ObjectRef.Parse(s3Uri), CancellationToken.None);
        var file = Path.Combine(Path.GetTempPath(), $"archived-{Guid.NewGuid():N}.mp4");
        await using var copy = File.Create(file);
        await stored.ResponseStream.CopyToAsync(copy);
        return file;
    }

    [Fact]
    public async Task Outputs_that_cannot_be_fetched_leave_a_partial_archive_with_warnings()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("partial");
        var images = await testbed.Outputs.ReplicateImagesAsync(2, "png");
        var removed = images[1].Replace("/png/", "/gif/", StringComparison.Ordinal);
        var completed = TestEvents.Completed("tenant-p", Provider.Replicate, "black-forest-labs/flux-dev",
            [(images[0], MediaKind.Image), (removed, MediaKind.Image), ("http://169.254.169.254/latest/meta-data/", MediaKind.Image)], 0.075m, "usd");

        testbed.StartArchiver();
        await testbed.PublishAsync([completed]);
        var archived = Assert.Single(await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 1)).Value;
        await testbed.WaitForCommittedAsync(1, TimeSpan.FromSeconds(30));

        Assert.Equal([0], archived.Outputs.Select(o => o.Index));
        Assert.Equal(["Failed to archive output 1: expired", "Failed to archive output 2: refused"], archived.Warnings);
        Assert.Single(await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 1));
        Assert.Empty(await testbed.ReadAsync<TransformationFailed>(Topics.Failed, 0));
    }

    [Fact]
    public async Task A_record_handed_over_mid_archive_resumes_without_downloading_again_what_is_archived()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("resume");
        var png = await ProviderOutputs.BytesAsync((await testbed.Outputs.ReplicateImagesAsync(1, "png"))[0]);
        var firstOwnerGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondOutputRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstOutputRequests = 0;
        await using var provider = await LoopbackServer.StartAsync(async context =>
        {
            if (context.Request.Path == "/out-0.png" && Interlocked.Increment(ref firstOutputRequests) > 1)
            {
                // The link has expired by the time a second owner would come for it.
                context.Response.StatusCode = StatusCodes.Status410Gone;
                return;
            }

            if (context.Request.Path == "/out-1.png" && !firstOwnerGone.Task.IsCompleted)
            {
                secondOutputRequested.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(png);
        });
        var completed = TestEvents.Completed("tenant-r", Provider.Replicate, "black-forest-labs/flux-dev",
            [(provider.Url("out-0.png"), MediaKind.Image), (provider.Url("out-1.png"), MediaKind.Image)], 0.05m, "usd");
        var settings = new Dictionary<string, string> { ["Archiver:Stream:ShutdownDrainTimeout"] = "00:00:01" };

        var first = testbed.StartArchiver([provider.OriginText], settings);
        await testbed.PublishAsync([completed]);
        await secondOutputRequested.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Output 0 is archived and its state saved; output 1 hangs: SIGTERM hands the record over unfinished.
        await first.Process.StopAsync(TimeSpan.FromSeconds(30));
        firstOwnerGone.SetResult();
        Assert.Empty(await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 0));

        testbed.StartArchiver([provider.OriginText], settings);
        var archived = Assert.Single(await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 1)).Value;
        var credits = await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 1);

        Assert.Equal([0, 1], archived.Outputs.Select(o => o.Index));
        Assert.All(archived.Outputs, o => Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), o.Sha256));
        Assert.Empty(archived.Warnings);
        Assert.Equal(1, Volatile.Read(ref firstOutputRequests));
        Assert.Equal(completed.RequestId, Assert.Single(credits).Value.RequestId);
    }

    [Fact]
    public async Task Ssrf_attempts_fail_the_request_at_once_without_reaching_their_target()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("ssrf");
        await using var internalService = await LoopbackServer.StartAsync(context => context.Response.WriteAsync("internal secrets"));
        await using var redirector = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = internalService.Url("admin");
            return Task.CompletedTask;
        });
        // Another tenant's archived output, named by its S3 URI and by its URL on the project's S3 endpoint (whose origin is
        // even among the loopback origins here: the own-storage rule is what stops it).
        var store = testbed.Pipeline.Store;
        var theirs = await store.PutAsync(store.Options.ArchiveBucket, $"t01/{testbed.Pipeline.Prefix}{Guid.NewGuid():D}/0.png", new MemoryStream(MediaStore.Png(8, 8)),
            "image/png", null, CancellationToken.None);
        var s3 = new Uri(testbed.Pipeline.Stack.S3.Options.ServiceUrl!);
        var urls = new[]
        {
            "file:///etc/passwd",
            "https://10.0.0.1/latest",
            "https://attacker.example/out.png",
            redirector.Url("out-0.png"),
            internalService.Url("admin"),
            theirs.Uri,
            new Uri(s3, $"{theirs.Bucket}/{theirs.Key}").ToString(),
        };
        var requests = urls.Select((url, i) => TestEvents.Completed($"tenant-s{i}", Provider.Replicate, "black-forest-labs/flux-dev",
            [(url, MediaKind.Image)], 0.025m, "usd")).ToList();

        testbed.StartArchiver([redirector.OriginText, s3.GetLeftPart(UriPartial.Authority)]);
        await testbed.PublishAsync(requests);
        var failed = await testbed.ReadAsync<TransformationFailed>(Topics.Failed, requests.Count);

        Assert.Equal(requests.Select(r => r.RequestId).Order(), failed.Select(f => f.Value.RequestId).Order());
        Assert.All(failed, f =>
        {
            Assert.Equal(ErrorCode.InvalidInput, f.Value.Error.Code);
            Assert.Equal("refused", f.Value.Error.Details["reason"]);
            Assert.Equal("1", f.Value.Error.Details["attempts"]);
        });
        Assert.Equal(0, internalService.Requests);
        Assert.Equal(1, redirector.Requests);
    }

    [Fact]
    public async Task While_the_archive_bucket_cannot_be_written_the_request_waits_instead_of_failing()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("s3-outage");
        var png = await ProviderOutputs.BytesAsync((await testbed.Outputs.ReplicateImagesAsync(1, "png"))[0]);
        await using var provider = await LoopbackServer.StartAsync(context =>
        {
            context.Response.ContentType = "image/png";
            return context.Response.Body.WriteAsync(png).AsTask();
        });
        var completed = TestEvents.Completed("tenant-o", Provider.Replicate, "black-forest-labs/flux-dev",
            [(provider.Url("out-0.png"), MediaKind.Image)], 0.025m, "usd");
        var bucket = $"archive-{Guid.NewGuid():N}";

        var archiver = testbed.StartArchiver([provider.OriginText], new Dictionary<string, string> { ["S3:ArchiveBucket"] = bucket });
        await testbed.PublishAsync([completed]);
        // Uploads fail (no such bucket) until the bucket exists: nothing may be published meanwhile, not even a failure.
        Assert.Equal(0, await testbed.CountAsync(Topics.CreditsRecorded, atLeast: 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, await testbed.CountAsync(Topics.Failed, atLeast: 0, TimeSpan.Zero));
        await testbed.Pipeline.Store.EnsureBucketAsync(bucket, CancellationToken.None);

        var archived = Assert.Single(await testbed.ReadAsync<TransformationArchived>(Topics.Archived, 1)).Value;
        Assert.StartsWith($"s3://{bucket}/tenant-o/{completed.RequestId:D}/0.png", archived.Outputs[0].S3Uri, StringComparison.Ordinal);
        Assert.Single(await testbed.ReadAsync<CreditsRecorded>(Topics.CreditsRecorded, 1));
        // The upload was retried from the copy already downloaded.
        Assert.Equal(1, provider.Requests);
        Assert.False(archiver.Process.HasExited);
    }

    [Fact]
    public async Task A_bad_option_stops_startup_naming_the_option()
    {
        await using var testbed = await ArchiverTestbed.StartAsync("options");

        var archiver = testbed.StartArchiver(settings: new Dictionary<string, string>
        {
            ["Archiver:Download:AllowedHosts:0"] = "https://replicate.delivery/",
            ["Archiver:Download:LoopbackOrigins:9"] = "http://10.0.0.5:8080",
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exitCode = await archiver.Process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, exitCode);
        var logs = testbed.Tail(200);
        Assert.Contains("Archiver:Download:AllowedHosts", logs, StringComparison.Ordinal);
        Assert.Contains("Archiver:Download:LoopbackOrigins", logs, StringComparison.Ordinal);
    }
}
