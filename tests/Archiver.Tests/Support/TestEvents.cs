using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Archiver.Tests.Support;

/// <summary>Completed events as the processor publishes them, with the original request inside.</summary>
public static class TestEvents
{
    public static TransformationCompleted Completed(
        string tenant,
        Provider provider,
        string model,
        IReadOnlyList<(string Url, MediaKind Kind)> outputs,
        decimal credits,
        string creditUnit,
        Guid? requestId = null,
        int replayCount = 0)
    {
        var id = requestId ?? Guid.NewGuid();
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var isVideo = outputs.Any(o => o.Kind == MediaKind.Video);
        var request = new TransformationRequested(
            id, tenant, $"corr-{id:N}", "skill:generate_intro_video_loop", now.AddSeconds(-30),
            isVideo ? TransformationTask.ImageToVideo : TransformationTask.ImageTransform,
            new MediaReference($"s3://cinematic-inputs/{tenant}/{id:D}/input.png", "image/png", MediaKind.Image, 2048, new string('a', 64)),
            "a medieval knight in a castle", "medieval", null, outputs.Count, "16:9",
            isVideo ? new VideoOptions(5, true, null, null) : null,
            null,
            replayCount > 0 ? new ReplayInfo(replayCount, now.AddSeconds(-40), "ops:test", ErrorCode.ProviderError, "replayed by a test") : null);
        return new TransformationCompleted(
            id, tenant, request.CorrelationId, request.Requester, now, provider, model,
            [.. outputs.Select((o, i) => new OutputMedia(i, o.Url, null, o.Kind))],
            outputs.Count, [], 30_000, 25_000, credits, creditUnit, CreditSource.RateTable, [$"job-{id:N}"], null, null, request);
    }

    /// <summary>
    /// A video chained from <paramref name="clips"/> (in order) for a request of <paramref name="seconds"/> seconds, as the
    /// processor publishes it: the clips share their variation's index.
    /// </summary>
    public static TransformationCompleted ChainedVideo(string tenant, IReadOnlyList<string> clips, int seconds, bool loop)
    {
        var completed = Completed(tenant, Provider.Runway, "veo3.1_fast", [.. clips.Select(c => (c, MediaKind.Video))], 10m * seconds, "runway_credits");
        return completed with
        {
            Outputs = [.. clips.Select(c => new OutputMedia(0, c, "video/mp4", MediaKind.Video))],
            RequestedCount = 1,
            Request = completed.Request with { OutputCount = 1, Video = new VideoOptions(seconds, loop, null, null) },
        };
    }
}
