using System.Diagnostics;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace CinematicSwitch.Archiver.Archiving;

/// <summary>An output that could not be fetched, after every attempt the deadline allowed.</summary>
internal sealed record OutputFailure(int Index, FetchFailureReason Reason, string Detail, int? HttpStatus, int Attempts);

/// <summary>What became of one output: archived, or given up.</summary>
internal sealed record OutputResult(ArchivedMedia? Archived, OutputFailure? Failure);

/// <summary>
/// Copies one variation's output to the archive bucket under {tenant}/{request_id}/{index}.{ext}: downloads it (a transient
/// failure retried with exponential back-off and jitter until <see cref="DownloadOptions.RetryDeadline"/>, a permanent one
/// given up at once: <see cref="FetchException.IsPermanent"/>) — every clip of a chained video, joined into one video by the
/// <see cref="VideoAssembler"/> — uploads it with its metadata, and presigns a link when configured. A failing S3 is the
/// archiver's problem, not the output's: the
/// upload is retried from the downloaded copy until it succeeds or the record is handed over, never failing the request
/// and never downloading again (the provider's link may expire meanwhile).
/// </summary>
internal sealed partial class OutputArchiver(
    MediaDownloader downloader,
    ObjectStore store,
    IOptions<ArchiverOptions> options,
    ArchiverMetrics metrics,
    TimeProvider time,
    ILogger<OutputArchiver> logger)
{
    /// <summary>The archiver's own spans; its downloads and S3 requests are HTTP client spans beneath them.</summary>
    public static readonly ActivitySource Tracing = new("CinematicSwitch.Archiver");

    private static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("cinematic.download-deadline");
    private static readonly ResiliencePropertyKey<int> OutputIndex = new("cinematic.output-index");
    private static readonly ResiliencePropertyKey<Guid> RequestId = new("cinematic.request-id");

    private readonly ArchiverOptions _options = options.Value;
    private readonly ResiliencePipeline _downloads = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.Value.Download.InitialBackoff,
            MaxDelay = options.Value.Download.MaxBackoff,
            // A permanent failure is given up at once; a transient one may pass later, until the deadline.
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is FetchException { IsPermanent: false }
                && time.GetUtcNow() < args.Context.Properties.GetValue(Deadline, DateTimeOffset.MinValue)),
            OnRetry = args =>
            {
                var failure = (FetchException)args.Outcome.Exception!;
                LogDownloadRetry(logger, args.Context.Properties.GetValue(RequestId, Guid.Empty), args.Context.Properties.GetValue(OutputIndex, -1),
                    args.AttemptNumber + 1, FetchException.Code(failure.Reason), failure.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    private readonly ResiliencePipeline _uploads = new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.Value.Download.InitialBackoff,
            MaxDelay = options.Value.Download.MaxBackoff,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
            OnRetry = args =>
            {
                LogUploadRetry(logger, args.Context.Properties.GetValue(RequestId, Guid.Empty), args.Context.Properties.GetValue(OutputIndex, -1),
                    args.Outcome.Exception!.GetType().Name, args.Outcome.Exception!.Message, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Archives one variation: its output, or the clips (in order) of its chained video as one video.</summary>
    public async Task<OutputResult> ArchiveAsync(TransformationCompleted completed, IReadOnlyList<OutputMedia> clips, CancellationToken cancellationToken)
    {
        using var activity = Tracing.StartActivity("archive output");
        activity?.SetTag("cinematic.request_id", completed.RequestId.ToString("D"));
        activity?.SetTag("cinematic.output.index", clips[0].Index);
        var result = await CopyAsync(completed, clips, cancellationToken);
        if (result.Failure is { } failure)
        {
            activity?.SetStatus(ActivityStatusCode.Error, FetchException.Code(failure.Reason));
        }

        return result;
    }

    private async Task<OutputResult> CopyAsync(TransformationCompleted completed, IReadOnlyList<OutputMedia> clips, CancellationToken cancellationToken)
    {
        var output = clips[0];
        var context = Context(completed, output, cancellationToken);
        context.Properties.Set(Deadline, time.GetUtcNow() + _options.Download.RetryDeadline);
        var attempts = 0;
        var downloaded = new List<DownloadedMedia>();
        try
        {
            foreach (var clip in clips)
            {
                downloaded.Add(await _downloads.ExecuteAsync(async ctx =>
                {
                    attempts++;
                    var started = time.GetTimestamp();
                    try
                    {
                        var media = await downloader.DownloadAsync(clip.Url, clip.Kind, ctx.CancellationToken);
                        metrics.Downloaded(completed.Provider, time.GetElapsedTime(started));
                        return media;
                    }
                    catch (FetchException e)
                    {
                        metrics.DownloadFailed(completed.Provider, e.Reason, time.GetElapsedTime(started));
                        throw;
                    }
                }, context));
            }

            await using var assembled = downloaded[0].Format.Kind == MediaKind.Video
                ? await VideoAssembler.AssembleAsync(downloaded, completed.Request.Video, _options.Download.TempDirectory ?? Path.GetTempPath(), cancellationToken)
                : null;
            var archived = await UploadAsync(completed, output, assembled ?? downloaded[0], context);
            metrics.Archived(completed.Provider, archived.Kind, archived.SizeBytes);
            LogArchived(logger, completed.RequestId, output.Index, archived.SizeBytes, archived.ContentType, archived.S3Uri);
            return new OutputResult(archived, null);
        }
        catch (FetchException e)
        {
            LogGaveUp(logger, completed.RequestId, output.Index, attempts, FetchException.Code(e.Reason), e.Message);
            return new OutputResult(null, new OutputFailure(output.Index, e.Reason, e.Message, e.HttpStatus, attempts));
        }
        finally
        {
            foreach (var media in downloaded)
            {
                await media.DisposeAsync();
            }

            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<ArchivedMedia> UploadAsync(TransformationCompleted completed, OutputMedia output, DownloadedMedia media, ResilienceContext context)
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
        return _uploads.ExecuteAsync(async ctx =>
        {
            media.Content.Position = 0;
            var location = await store.PutAsync(store.Options.ArchiveBucket, key, media.Content, media.Format.ContentType, metadata, ctx.CancellationToken);
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
        }, context).AsTask();
    }

    private static ResilienceContext Context(TransformationCompleted completed, OutputMedia output, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestId, completed.RequestId);
        context.Properties.Set(OutputIndex, output.Index);
        return context;
    }

    /// <summary>S3 metadata travels in HTTP headers: non-ASCII values are percent-encoded.</summary>
    private static string Ascii(string value) => value.All(char.IsAscii) ? value : Uri.EscapeDataString(value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} output {Index}: archived {Size} bytes of {ContentType} as {S3Uri}")]
    private static partial void LogArchived(ILogger logger, Guid requestId, int index, long size, string contentType, string s3Uri);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} output {Index}: attempt {Attempt} failed ({Reason}: {Detail}); retrying in {Delay}")]
    private static partial void LogDownloadRetry(ILogger logger, Guid requestId, int index, int attempt, string reason, string detail, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} output {Index}: attempt {Attempt} failed ({Reason}: {Detail}); giving up")]
    private static partial void LogGaveUp(ILogger logger, Guid requestId, int index, int attempt, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} output {Index}: upload to the archive failed ({Error}: {Reason}); retrying in {Delay}")]
    private static partial void LogUploadRetry(ILogger logger, Guid requestId, int index, string error, string reason, TimeSpan delay);
}
