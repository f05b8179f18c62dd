using System.Diagnostics;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Archiver.Archiving;

/// <summary>An output that could not be fetched, after every attempt the deadline allowed.</summary>
internal sealed record OutputFailure(int Index, FetchFailureReason Reason, string Detail, int? HttpStatus, int Attempts);

/// <summary>What became of one output: archived, or given up.</summary>
internal sealed record OutputResult(ArchivedMedia? Archived, OutputFailure? Failure);

/// <summary>
/// Copies one provider output to the archive bucket under {tenant}/{request_id}/{index}.{ext}: downloads it (retrying
/// with backoff until <see cref="DownloadOptions.RetryDeadline"/>, except for refused URLs), uploads it with its
/// metadata, and presigns a link when configured. A failing S3 is the archiver's problem, not the output's: the
/// upload is retried from the downloaded copy until it succeeds or the record is handed over, never failing the request
/// and never downloading again (the provider's link may expire meanwhile).
/// </summary>
internal sealed class OutputArchiver(
    MediaDownloader downloader,
    ObjectStore store,
    IOptions<ArchiverOptions> options,
    ArchiverMetrics metrics,
    TimeProvider time,
    ILogger<OutputArchiver> logger)
{
    /// <summary>The archiver's own spans; its downloads and S3 requests are HTTP client spans beneath them.</summary>
    public static readonly ActivitySource Tracing = new("CinematicSwitch.Archiver");

    private readonly ArchiverOptions _options = options.Value;

    public async Task<OutputResult> ArchiveAsync(TransformationCompleted completed, OutputMedia output, CancellationToken cancellationToken)
    {
        using var activity = Tracing.StartActivity("archive output");
        activity?.SetTag("cinematic.request_id", completed.RequestId.ToString("D"));
        activity?.SetTag("cinematic.output.index", output.Index);
        var result = await CopyAsync(completed, output, cancellationToken);
        if (result.Failure is { } failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, FetchException.Code(failure.Reason));
        }

        return result;
    }

    private async Task<OutputResult> CopyAsync(TransformationCompleted completed, OutputMedia output, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + _options.Download.RetryDeadline;
        for (var attempt = 1; ; attempt++)
        {
            var started = time.GetTimestamp();
            try
            {
                await using var media = await downloader.DownloadAsync(output.Url, output.Kind, cancellationToken);
                metrics.Downloaded(completed.Provider, time.GetElapsedTime(started));
                var archived = await UploadAsync(completed, output, media, cancellationToken);
                metrics.Archived(completed.Provider, archived.Kind, archived.SizeBytes);
                logger.LogInformation("Request {RequestId} output {Index}: archived {Size} bytes of {ContentType} as {S3Uri}",
                    completed.RequestId, output.Index, archived.SizeBytes, archived.ContentType, archived.S3Uri);
                return new OutputResult(archived, null);
            }
            catch (FetchException e)
            {
                metrics.DownloadFailed(completed.Provider, e.Reason, time.GetElapsedTime(started));
                var delay = Backoff(attempt);
                var giveUp = e.Reason == FetchFailureReason.Refused || time.GetUtcNow() + delay > deadline;
                logger.LogWarning("Request {RequestId} output {Index}: attempt {Attempt} failed ({Reason}: {Detail}); {Next}",
                    completed.RequestId, output.Index, attempt, FetchException.Code(e.Reason), e.Message, giveUp ? "giving up" : $"retrying in {delay}");
                if (giveUp)
                {
                    return new OutputResult(null, new OutputFailure(output.Index, e.Reason, e.Message, e.HttpStatus, attempt));
                }

                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async Task<ArchivedMedia> UploadAsync(TransformationCompleted completed, OutputMedia output, DownloadedMedia media, CancellationToken cancellationToken)
    {
        var key = $"{Uri.EscapeDataString(completed.TenantId)}/{completed.RequestId:D}/{output.Index}.{media.Format.Extension}";
        var metadata = new Dictionary<string, string>
        {
            ["request-id"] = completed.RequestId.ToString("D"),
            ["tenant-id"] = Ascii(completed.TenantId),
            ["provider"] = completed.Provider.ToString(),
            ["model"] = Ascii(completed.Model),
            ["sha256"] = media.Sha256,
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                media.Content.Position = 0;
                var location = await store.PutAsync(store.Options.ArchiveBucket, key, media.Content, media.Format.ContentType, metadata, cancellationToken);
                string? link = null;
                DateTimeOffset? expiresAt = null;
                if (_options.PresignedUrlExpiry is { } validity)
                {
                    // Stated no later than the link's real expiry, and in whole milliseconds as the event carries it.
                    expiresAt = DateTimeOffset.FromUnixTimeMilliseconds((time.GetUtcNow() + validity).ToUnixTimeMilliseconds());
                    link = await store.PresignGetAsync(location, validity);
                }

                return new ArchivedMedia(output.Index, location.Uri, link, expiresAt, media.Format.ContentType, media.Format.Kind,
                    media.SizeBytes, media.Sha256, output.Url);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                logger.LogWarning("Request {RequestId} output {Index}: upload to {Bucket} failed ({Error}: {Reason}); retrying in {Delay}",
                    completed.RequestId, output.Index, store.Options.ArchiveBucket, e.GetType().Name, e.Message, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Doubling from the initial pause up to the maximum, with ±20 % jitter so retries of many records spread out.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var download = _options.Download;
        var doubled = download.InitialBackoff * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = doubled > download.MaxBackoff ? download.MaxBackoff : doubled;
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
    }

    /// <summary>S3 metadata travels in HTTP headers: non-ASCII values are percent-encoded.</summary>
    private static string Ascii(string value) => value.All(char.IsAscii) ? value : Uri.EscapeDataString(value);
}
