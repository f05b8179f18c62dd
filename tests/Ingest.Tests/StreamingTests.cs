using System.Diagnostics;
using System.Net;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>Tests that measure this process's memory: they run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuringCollection
{
    public const string Name = "memory-measuring";
}

/// <summary>
/// Uploads stream through Ingest to S3 with bounded memory, and bodies beyond the limits are refused without being
/// read. The Ingest host runs in this process, so its allocations and working set are this process's.
/// </summary>
[Collection(MemoryMeasuringCollection.Name)]
[Trait("Category", "Stack")]
public sealed class StreamingTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private const long Mib = 1024 * 1024;

    // A buffering implementation holds the whole 100 MiB (at least once); streaming holds two 8 MiB part buffers.
    private const long MemoryBound = 40 * Mib;

    // What streaming 100 MiB may allocate: the part buffers come from a pool, but on a loaded machine the host's other work
    // (Kestrel's memory pool releasing idle blocks and growing again, clients' buffers) was seen to add up to 48 MiB. A
    // buffering implementation allocates at least the 100 MiB it holds, so the bound still tells the two apart.
    private const long StreamingAllocationBound = 64 * Mib;

    [Fact]
    public async Task A_100_MiB_video_streams_through_with_bounded_memory_and_arrives_byte_exact()
    {
        var media = TestMedia.Mp4(MediaFormats.MaxVideoBytes);
        using var client = fixture.Host.Client(TestTenants.Acme);

        // Warm up (JIT, pools, S3 and Kafka connections) so that what is measured is the upload itself.
        using (var warmUp = await client.PostAsync("/generate/cinematic", Forms.Multipart(TestMedia.Mp4(20 * Mib).ToContent(), "w.mp4",
                   ("scene_description", Forms.ValidDescription))))
        {
            await warmUp.ExpectAsync(HttpStatusCode.Accepted);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var sampler = new PeakMemorySampler();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();

        using var response = await client.PostAsync("/generate/cinematic", Forms.Multipart(media.ToContent("video/mp4"), "big.mp4",
            ("scene_description", Forms.ValidDescription)));
        var body = await response.ExpectAsync(HttpStatusCode.Accepted);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var took = Stopwatch.GetElapsedTime(started);
        var peakGrowth = sampler.Stop();

        // The host's background work (consumers polling, telemetry) allocates all the while, more the longer a loaded
        // machine takes: what the process allocates idle for as long is not the upload's.
        var idleBefore = GC.GetTotalAllocatedBytes(precise: true);
        await Task.Delay(took);
        var idle = GC.GetTotalAllocatedBytes(precise: true) - idleBefore;
        Assert.True(allocated - idle < StreamingAllocationBound, $"{allocated / Mib} MiB were allocated while 100 MiB streamed through, {idle / Mib} MiB of them by the idle host");
        Assert.True(peakGrowth < 2 * MemoryBound, $"the working set grew by {peakGrowth / Mib} MiB while 100 MiB streamed through");

        var id = body.RequestId();
        var e = Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id);
        Assert.Equal(MediaFormats.MaxVideoBytes, e.Media!.SizeBytes);
        Assert.Equal(media.Sha256(), e.Media.Sha256);
        Assert.Equal((media.Length, media.Sha256()), await fixture.HashObjectAsync(e.Media.Uri));
    }

    [Fact]
    public async Task A_video_one_byte_over_100_MiB_is_refused_and_nothing_is_kept()
    {
        var key = Guid.NewGuid().ToString("N");
        var id = RequestIds.FromIdempotencyKey(TestTenants.Acme.TenantId, key);
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic")
        {
            Content = Forms.Multipart(TestMedia.Mp4(MediaFormats.MaxVideoBytes + 1).ToContent("video/mp4"), "big.mp4",
                ("scene_description", Forms.ValidDescription)),
        };
        request.Headers.Add("Idempotency-Key", key);

        using var response = await client.SendAsync(request);

        // One byte (and the closing boundary) remained unread: drained, so the client reads the refusal.
        ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.RequestEntityTooLarge),
            new ValidationTests.Refusal(413, ApiErrors.InvalidInput, UserMessages.MediaUpload, "media"));
        Assert.DoesNotContain(await fixture.RequestedAsync(0), r => r.Message.Value.RequestId == id);
        Assert.Empty(await fixture.InputsAsync($"acme/{id}/"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_declared_2_GB_body_is_refused_before_it_is_read(bool expectContinue)
    {
        var sent = 0L;
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic")
        {
            Content = TestMedia.Mp4(2L * 1024 * Mib).ToContent("multipart/form-data; boundary=x", n => Interlocked.Exchange(ref sent, n)),
        };
        request.Headers.ExpectContinue = expectContinue;

        var refusal = await SendExpectingRefusalAsync(client, request);

        if (expectContinue)
        {
            // The answer comes instead of "100 Continue": the client never sends the body, and reads the refusal.
            Assert.NotNull(refusal);
            Assert.Equal(0, Interlocked.Read(ref sent));
        }

        if (refusal is not null)
        {
            var limit = MediaFormats.MaxVideoBytes + Intake.MultipartForm.FieldsAllowance;
            ValidationTests.AssertError(refusal.Value, new ValidationTests.Refusal(413, ApiErrors.InvalidInput, UserMessages.MediaUpload, "media"));
            Assert.Equal(limit, refusal.Value.Error().GetProperty("details").GetProperty("max_bytes").GetInt64());
        }

        // What the client managed to push before the connection closed: socket buffers, not the body.
        Assert.True(Interlocked.Read(ref sent) < 64 * Mib, $"{Interlocked.Read(ref sent) / Mib} MiB were sent");
    }

    [Fact]
    public async Task A_2_GB_upload_of_unknown_length_is_refused_at_the_limit_with_bounded_memory()
    {
        var sent = 0L;
        using var client = fixture.Host.Client(TestTenants.Acme);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic")
        {
            // Chunked: the server learns the size only by reading.
            Content = Forms.Multipart(TestMedia.Mp4(2L * 1024 * Mib).ToChunkedContent("video/mp4", n => Interlocked.Exchange(ref sent, n)), "huge.mp4",
                ("scene_description", Forms.ValidDescription)),
        };

        var refusal = await SendExpectingRefusalAsync(client, request);

        if (refusal is not null)
        {
            ValidationTests.AssertError(refusal.Value, new ValidationTests.Refusal(413, ApiErrors.InvalidInput, UserMessages.MediaUpload, "media"));
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.True(Interlocked.Read(ref sent) < 400 * Mib, $"{Interlocked.Read(ref sent) / Mib} MiB of 2048 were sent");
        Assert.True(allocated < MemoryBound, $"{allocated / Mib} MiB were allocated");
    }

    [Fact]
    public async Task A_bad_description_before_the_media_is_refused_before_the_media_is_stored()
    {
        var sent = 0L;
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic")
        {
            Content = Forms.Multipart(TestMedia.Mp4(90 * Mib).ToContent("video/mp4", n => Interlocked.Exchange(ref sent, n)), "clip.mp4",
                ("scene_description", "too short")),
        };

        var refusal = await SendExpectingRefusalAsync(client, request);

        if (refusal is not null)
        {
            ValidationTests.AssertError(refusal.Value, new ValidationTests.Refusal(400, ApiErrors.InvalidInput, UserMessages.TextValidation, "scene_description"));
        }

        // The refusal came with the media's first bytes: the rest was neither stored nor read.
        Assert.True(Interlocked.Read(ref sent) < 64 * Mib, $"{Interlocked.Read(ref sent) / Mib} MiB of 90 were sent");
    }

    /// <summary>
    /// Sends a request the server refuses before reading all of its body. The server answers, then closes the
    /// connection; whether the client still reads the answer depends on when it notices: null when it did not.
    /// </summary>
    private static async Task<System.Text.Json.JsonElement?> SendExpectingRefusalAsync(HttpClient client, HttpRequestMessage request)
    {
        try
        {
            using var response = await client.SendAsync(request);
            return await response.ReadJsonAsync();
        }
        catch (HttpRequestException e)
        {
            Console.WriteLine($"client saw the connection close: {e.Message}");
            return null;
        }
    }

    /// <summary>Samples the process's working set until stopped; returns the peak growth over the start.</summary>
    private sealed class PeakMemorySampler : IDisposable
    {
        private readonly long _baseline = Process.GetCurrentProcess().WorkingSet64;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<long> _sampling;

        public PeakMemorySampler() => _sampling = Task.Run(async () =>
        {
            var peak = _baseline;
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(10);
            }

            return peak;
        });

        public long Stop()
        {
            _stop.Cancel();
            return _sampling.GetAwaiter().GetResult() - _baseline;
        }

        public void Dispose() => _stop.Dispose();
    }
}
