using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// Realistic events, each in three shapes: every optional field set, every optional field absent, and edge values
/// (extreme numbers and times, empty strings and collections, other enum symbols). Times are whole milliseconds and
/// amounts within the schemas' decimal(18, 4), as the contracts carry them.
/// </summary>
internal static class EventSamples
{
    private static readonly DateTimeOffset Requested = new(2025, 3, 14, 9, 26, 53, 589, TimeSpan.Zero);

    public static IReadOnlyList<object> For(Type eventType) => eventType.Name switch
    {
        nameof(TransformationRequested) => [FullRequest(), SparseRequest(), EdgeRequest()],
        nameof(TransformationStarted) =>
        [
            Started(FullRequest(), Provider.Leonardo, step: 2), Started(SparseRequest(), Provider.Unknown, step: 0),
            Started(EdgeRequest(), Provider.Replicate, step: int.MaxValue),
        ],
        nameof(TransformationCompleted) => [Completed(FullRequest(), fallback: true), Completed(SparseRequest(), fallback: false), EdgeCompleted()],
        nameof(TransformationFailed) => [Failed(FullRequest(), Provider.Runway, 504), Failed(SparseRequest(), null, null), EdgeFailed()],
        nameof(TransformationArchived) => [Archived(FullRequest(), withHttps: true), Archived(SparseRequest(), withHttps: false), EdgeArchived()],
        nameof(CreditsRecorded) =>
        [
            Credits(FullRequest(), 12.5m, CreditSource.Reported), Credits(SparseRequest(), 0.0035m, CreditSource.RateTable),
            Credits(EdgeRequest(), -99_999_999_999_999.9999m, CreditSource.Unknown),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(eventType), eventType.Name, "no samples"),
    };

    public static TransformationRequested FullRequest() => new(
        RequestId: Guid.Parse("3f2b8c1e-9d4a-4e6b-b7c8-0a1d2e3f4a5b"),
        TenantId: "tenant-aurora-games",
        CorrelationId: "corr-01HQ9Z8X7Y6W5V4T3S2R1Q0P",
        Requester: "skill:generate_intro_video_loop",
        OccurredAt: Requested,
        Task: TransformationTask.ImageToVideo,
        Media: new MediaReference("s3://cinematic-inputs/tenant-aurora-games/2025/03/14/3f2b8c1e.png", "image/png", MediaKind.Image,
            2_483_117, "9b74c9897bac770ffc029102a200c5de0c7c3a6c4d1a8b8e8f5a9c6f3b2e1d0a"),
        SceneDescription: "A weathered knight in dented plate armour stands at the gate of a torch-lit castle at dusk, banners snapping in "
            + "the wind, crows circling the battlements; slow push-in, volumetric fog, warm firelight against cold blue sky — "
            + "epic, painterly, 1970s fantasy film look. « Ünïcödé » and 日本語 survive the trip.",
        StylePreset: "medieval",
        Prompt: "cinematic still, medieval knight, castle gate, dusk",
        OutputCount: 3,
        AspectRatio: "16:9",
        Video: new VideoOptions(8, SeamlessLoop: true, Seed: 4_242_424_242L, CameraMotion: "slow dolly-in"),
        Provider: Events.Provider.Runway,
        Replay: new ReplayInfo(2, Requested.AddMinutes(42), "ops:alice", ErrorCode.TimeoutError, "Runway did not finish within 300 s"));

    public static TransformationRequested SparseRequest() => new(
        RequestId: Guid.Parse("0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f"),
        TenantId: "t1",
        CorrelationId: "c",
        Requester: "http:ingest",
        OccurredAt: DateTimeOffset.UnixEpoch.AddMilliseconds(-1),
        Task: TransformationTask.TextToVideo,
        Media: null,
        SceneDescription: "a 1920s flapper in a speakeasy",
        StylePreset: null,
        Prompt: null,
        OutputCount: 1,
        AspectRatio: "original",
        Video: new VideoOptions(4, SeamlessLoop: false, Seed: null, CameraMotion: null),
        Provider: null,
        Replay: null);

    /// <summary>Extremes: the largest and smallest numbers, empty strings, times far from the epoch, a video with its
    /// defaults, a replay of an unknown error.</summary>
    public static TransformationRequested EdgeRequest() => new(
        RequestId: Guid.Parse("ffffffff-ffff-4fff-bfff-ffffffffffff"),
        TenantId: "",
        CorrelationId: "",
        Requester: "",
        OccurredAt: new DateTimeOffset(9999, 12, 31, 23, 59, 58, 749, TimeSpan.Zero),
        Task: TransformationTask.VideoToVideo,
        Media: new MediaReference("https://media.example/clip.mov", "video/quicktime", MediaKind.Video, long.MaxValue, ""),
        SceneDescription: "",
        StylePreset: "",
        Prompt: "",
        OutputCount: int.MinValue,
        AspectRatio: "",
        Video: new VideoOptions(int.MaxValue, SeamlessLoop: false, Seed: long.MinValue, CameraMotion: ""),
        Provider: Events.Provider.Unknown,
        Replay: new ReplayInfo(int.MaxValue, new DateTimeOffset(1900, 1, 1, 0, 0, 0, 1, TimeSpan.Zero), "", ErrorCode.Unknown, ""));

    private static TransformationStarted Started(TransformationRequested request, Provider provider, int step) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester, request.OccurredAt.AddSeconds(1.25),
        request.OccurredAt, provider, "motion-2.0", step);

    private static TransformationCompleted Completed(TransformationRequested request, bool fallback) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester,
        Requested.AddSeconds(97),
        Provider: fallback ? Provider.Leonardo : Provider.Runway,
        Model: fallback ? "leonardo-motion-2" : "gen4_turbo",
        Outputs: fallback
            ? [new OutputMedia(0, "https://cdn.leonardo.ai/users/x/generations/a/0.mp4", "video/mp4", MediaKind.Video),
               new OutputMedia(1, "https://cdn.leonardo.ai/users/x/generations/a/1.mp4", null, MediaKind.Unknown)]
            : [],
        RequestedCount: request.OutputCount,
        Warnings: fallback ? ["2 of 3 variations were generated"] : [],
        ProcessingTimeMs: 97_412,
        ProviderTimeMs: 91_006,
        Credits: fallback ? 35.75m : 0m,
        CreditUnit: "credits",
        CreditSource: fallback ? CreditSource.Reported : CreditSource.RateTable,
        ProviderJobIds: fallback ? ["rw-job-77", "leo-gen-5f2a"] : [],
        FallbackFrom: fallback ? Provider.Runway : null,
        FallbackReason: fallback ? "RUNWAY_ERROR: 503 from the provider" : null,
        Request: request)
    {
        Seeds = fallback ? [4_294_967_295L, 42L] : [],
    };

    private static TransformationFailed Failed(TransformationRequested request, Provider? provider, int? status) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester,
        Requested.AddMinutes(5),
        Stage: provider is null ? FailureStage.Archiving : FailureStage.Processing,
        Error: new ErrorInfo(
            provider is null ? ErrorCode.ProviderError : ErrorCode.TimeoutError,
            provider is null ? "The output could not be archived" : "Runway did not finish within 300 s",
            provider,
            status,
            provider is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["job_id"] = "rw-job-77", ["attempts"] = "3" }),
        Request: request);

    private static TransformationCompleted EdgeCompleted() => Completed(EdgeRequest(), fallback: true) with
    {
        Outputs = [new OutputMedia(int.MinValue, "", "", MediaKind.Image), new OutputMedia(int.MaxValue, "https://x/y", null, MediaKind.Video)],
        RequestedCount = 0,
        Warnings = ["", "ünïcödé ⚠"],
        ProcessingTimeMs = long.MaxValue,
        ProviderTimeMs = long.MinValue,
        Credits = 99_999_999_999_999.9999m,
        CreditSource = CreditSource.Unknown,
        ProviderJobIds = [""],
        FallbackFrom = Provider.Unknown,
        FallbackReason = "",
    };

    private static TransformationFailed EdgeFailed() => Failed(EdgeRequest(), Provider.Leonardo, 0) with
    {
        Stage = FailureStage.Unknown,
        Error = new ErrorInfo(ErrorCode.QuotaExceededError, "", Provider.Unknown, int.MinValue,
            new Dictionary<string, string> { [""] = "", ["clé ünïcödé"] = "値", ["retry_after"] = "3600" }),
    };

    private static TransformationArchived EdgeArchived() => Archived(EdgeRequest(), withHttps: true) with
    {
        Provider = Provider.Unknown,
        Model = "",
        Outputs =
        [
            new ArchivedMedia(0, "s3://a/0.mp4", null, null, "video/mp4", MediaKind.Video, 0, "", ""),
            new ArchivedMedia(1, "s3://a/1.mp4", "https://a/1.mp4", DateTimeOffset.UnixEpoch, "video/mp4", MediaKind.Unknown, long.MaxValue, "x", "y"),
            new ArchivedMedia(int.MaxValue, "", "", new DateTimeOffset(1969, 7, 20, 20, 17, 40, 0, TimeSpan.Zero), "", MediaKind.Image, -1, "", ""),
        ],
        Warnings = ["1 of 3 outputs has no presigned URL", "another"],
    };

    private static TransformationArchived Archived(TransformationRequested request, bool withHttps) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester,
        Requested.AddSeconds(130),
        Provider.Replicate,
        "black-forest-labs/flux-dev",
        Outputs:
        [
            new ArchivedMedia(0, "s3://cinematic-archive/tenant-aurora-games/3f2b8c1e/0.webp",
                withHttps ? "https://cinematic-archive.s3.amazonaws.com/tenant-aurora-games/3f2b8c1e/0.webp?X-Amz-Signature=abc" : null,
                withHttps ? Requested.AddDays(7) : null,
                "image/webp", MediaKind.Image, 1_048_577, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "https://replicate.delivery/pbxt/abc/out-0.webp"),
        ],
        Warnings: withHttps ? [] : ["presigned URLs disabled"]);

    private static CreditsRecorded Credits(TransformationRequested request, decimal credits, CreditSource source) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester,
        Requested.AddSeconds(131),
        TransformationTask.ImageTransform,
        Provider.Replicate,
        "black-forest-labs/flux-dev",
        credits,
        "usd",
        source);
}
