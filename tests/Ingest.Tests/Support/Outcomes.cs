using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>The events the processor and archiver publish for a request, made here so that status can be followed without them.</summary>
internal static class Outcomes
{
    public static TransformationStarted Started(TransformationRequested request, Provider provider = Provider.Runway, string model = "gen4_turbo",
        DateTimeOffset? at = null) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester, at ?? DateTimeOffset.UtcNow, request.OccurredAt,
        provider, model, 0);

    public static TransformationCompleted Completed(TransformationRequested request, long processingMs = 87_300, params string[] warnings) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester, DateTimeOffset.UtcNow,
        Provider.Replicate, "black-forest-labs/flux-dev",
        Enumerable.Range(0, request.OutputCount).Select(i => new OutputMedia(i, $"https://replicate.delivery/pbxt/{request.RequestId:N}/output-{i}.png", "image/png", MediaKind.Image)).ToList(),
        request.OutputCount, warnings, processingMs, processingMs - 1000, 0.025m * request.OutputCount, "usd", CreditSource.RateTable, ["prediction-1"],
        null, null, request);

    public static TransformationFailed Failed(TransformationRequested request, ErrorCode code, string message, Provider? provider = Provider.Replicate,
        FailureStage stage = FailureStage.Processing, params (string Key, string Value)[] details) => new(
        request.RequestId, request.TenantId, request.CorrelationId, request.Requester, DateTimeOffset.UtcNow, stage,
        new ErrorInfo(code, message, provider, code == ErrorCode.ProviderError ? 500 : null, details.ToDictionary(d => d.Key, d => d.Value)),
        request);

    public static CreditsRecorded Credits(string tenantId, decimal credits, string unit = "usd") => new(
        Guid.NewGuid(), tenantId, "corr", "http:ingest", DateTimeOffset.UtcNow, TransformationTask.ImageTransform, Provider.Replicate,
        "black-forest-labs/flux-dev", credits, unit, CreditSource.RateTable);

    /// <summary>Stores one output per variation in the archive bucket, as the archiver would, and the event saying so.</summary>
    public static async Task<(TransformationArchived Event, List<byte[]> Outputs)> ArchiveAsync(ObjectStore store, TransformationRequested request,
        string? httpsUrl = null)
    {
        var outputs = new List<ArchivedMedia>();
        var bytes = new List<byte[]>();
        for (var i = 0; i < request.OutputCount; i++)
        {
            var content = TestMedia.Png(2048 + i, seed: i + 10).ToArray();
            var key = $"{request.TenantId}/{request.RequestId}/output-{i}.png";
            using var body = new MemoryStream(content);
            await store.PutAsync(store.Options.ArchiveBucket, key, body, "image/png", null, CancellationToken.None);
            outputs.Add(new ArchivedMedia(i, new S3ObjectRef(store.Options.ArchiveBucket, key).Uri, httpsUrl, httpsUrl is null ? null : DateTimeOffset.UtcNow.AddHours(1),
                "image/png", MediaKind.Image, content.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)),
                $"https://replicate.delivery/pbxt/{request.RequestId:N}/output-{i}.png"));
            bytes.Add(content);
        }

        return (new TransformationArchived(request.RequestId, request.TenantId, request.CorrelationId, request.Requester, DateTimeOffset.UtcNow,
            Provider.Replicate, "black-forest-labs/flux-dev", outputs, []), bytes);
    }

    /// <summary>Completed, archived, credits: a request's whole success, published in the order the pipeline does.</summary>
    public static async Task<List<byte[]>> SucceedAsync(IngestFixture fixture, TransformationRequested request)
    {
        await fixture.ProduceAsync(Topics.Completed, Completed(request));
        var (archived, outputs) = await ArchiveAsync(fixture.Store, request);
        await fixture.ProduceAsync(Topics.Archived, archived);
        return outputs;
    }
}
