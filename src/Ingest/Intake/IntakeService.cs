using System.Collections.Concurrent;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Retention;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.ServiceDefaults.Storage;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>Who asks, for which request: decided from the headers before the body is read.</summary>
internal sealed record IntakeContext(
    IntakeContract Contract,
    string TenantId,
    Guid RequestId,
    bool HasIdempotencyKey,
    string CorrelationId,
    string Requester);

/// <summary>
/// One request's body as it is read: its fields, and its media once stored. The media is streamed as it arrives;
/// the fields that arrived before it are checked first, so that a bad description is refused before a big upload.
/// </summary>
internal sealed class IntakeSession(IntakeContext context, MediaUploader uploader, IntakeLogEntry log)
{
    public IntakeFields Fields { get; } = new();

    public StoredMedia? Media { get; private set; }

    public IntakeContext Context => context;

    public async Task UploadMediaAsync(Stream content, CancellationToken cancellationToken)
    {
        if (Media is not null)
        {
            // One file per request: batches are out of the spec's scope.
            throw Problems.Media("Only one media file is accepted per request.");
        }

        Media = await uploader.UploadAsync(content, InputKeys.Of(context.TenantId, context.RequestId), context.Contract.MediaField, format =>
        {
            log.MediaType = format.ContentType;
            RequestValidator.CheckArrivedFields(Fields, context.Contract);
        }, cancellationToken);
        log.MediaBytes = Media.SizeBytes;
        log.UploadTime = Media.Elapsed;
    }
}

/// <summary>What was accepted: the request id, and whether this was a retry of an already accepted request.</summary>
internal sealed record IntakeResult(Guid RequestId, bool Replayed, RequestState State);

/// <summary>
/// Accepts a request: reads it (streaming its media to S3), validates it, publishes the event and waits for the
/// brokers' acknowledgement. Whatever goes wrong before that, the stored media is deleted again (or, when the
/// event may have been written after all, kept and reported), and nothing is published for an invalid request.
/// </summary>
internal sealed partial class IntakeService(
    MediaUploader uploader,
    RequestValidator validator,
    RequestPublisher publisher,
    RequestStatusStore statuses,
    InDoubtRequests inDoubt,
    TimeProvider time,
    ILogger<IntakeService> logger)
{
    // Requests being accepted on this instance, by id: a concurrent retry with the same Idempotency-Key gets a 409
    // instead of a second upload.
    private readonly ConcurrentDictionary<Guid, byte> _inFlight = new();

    public async Task<IntakeResult> AcceptAsync(IntakeContext context, IntakeLogEntry log, Func<IntakeSession, CancellationToken, Task> readBody,
        CancellationToken cancellationToken)
    {
        if (context.HasIdempotencyKey && statuses.Get(context.RequestId, context.TenantId) is { } known)
        {
            log.Replayed = true;
            return new IntakeResult(context.RequestId, true, known);
        }

        if (!_inFlight.TryAdd(context.RequestId, 0))
        {
            throw Problems.InProgress();
        }

        if (inDoubt.Get(context.RequestId, context.TenantId) is { } pending)
        {
            // A retry of a request whose publish timed out: the same event again (its media is stored), not a new upload.
            return await ConfirmAsync(pending, log);
        }

        var session = new IntakeSession(context, uploader, log);
        TransformationRequested? requested = null;
        try
        {
            await readBody(session, cancellationToken);
            // Events carry milliseconds (timestamp-millis): the local state must hold the time exactly as readers will see it.
            var now = time.GetUtcNow();
            var e = requested = validator.Validate(session.Fields, context, session.Media?.Reference,
                now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)));
            log.DescriptionLength = e.SceneDescription.Length;
            log.OutputCount = e.OutputCount;
            log.Task = e.Task;

            log.PublishTime = await publisher.PublishAsync(e);
            statuses.Apply(e.RequestId, s => RequestState.OnRequested(s, e));
            return new IntakeResult(context.RequestId, false, statuses.Get(e.RequestId, e.TenantId)!);
        }
        catch (PublishFailedException failure) when (failure.PossiblyPublished && requested is not null)
        {
            // The event may be in the log after all: its media stays, and the request is settled by publishing the same
            // event again (a retry with the same Idempotency-Key, or InDoubtResolver). The caller is told exactly that.
            inDoubt.Add(requested);
            LogKeptAfterAmbiguousPublish(context.RequestId, session.Media?.Location.Uri);
            throw Problems.OutcomeUnknown(context.RequestId, failure.Dependency, failure);
        }
        catch (PublishFailedException failure)
        {
            if (session.Media is { } media)
            {
                await DeleteAsync(media.Location, context.RequestId);
            }

            throw Problems.Unavailable(failure.Dependency, failure);
        }
        catch (Exception e) when (session.Media is { } media)
        {
            await DeleteAsync(media.Location, context.RequestId);
            if (IsS3Failure(e))
            {
                throw Problems.Unavailable("s3", e);
            }

            throw;
        }
        catch (Exception e) when (IsS3Failure(e))
        {
            throw Problems.Unavailable("s3", e);
        }
        finally
        {
            // A refused request is logged with the length of the description it sent, as an accepted one is.
            log.DescriptionLength ??= session.Fields.Get(context.Contract.DescriptionField)?.Text?.Trim().Length;
            _inFlight.TryRemove(context.RequestId, out _);
        }
    }

    private async Task<IntakeResult> ConfirmAsync(TransformationRequested pending, IntakeLogEntry log)
    {
        log.Replayed = true;
        try
        {
            if (statuses.Get(pending.RequestId, pending.TenantId) is null && !await inDoubt.ConfirmAsync(pending, publisher, statuses))
            {
                throw Problems.OutcomeUnknown(pending.RequestId, "kafka", null);
            }

            inDoubt.Seen(pending.RequestId);
            return new IntakeResult(pending.RequestId, true, statuses.Get(pending.RequestId, pending.TenantId)!);
        }
        finally
        {
            _inFlight.TryRemove(pending.RequestId, out _);
        }
    }

    /// <summary>What S3 (or the way to it) throws; media URL fetches and the registry turn their own failures into other errors first.</summary>
    private static bool IsS3Failure(Exception e) => e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException;

    private async Task DeleteAsync(S3ObjectRef location, Guid requestId)
    {
        try
        {
            // Not cancellable: the caller may be gone, the object must still go.
            await uploader.DeleteAsync(location, CancellationToken.None);
            LogDeleted(requestId, location.Uri);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            LogDeleteFailed(requestId, location.Uri, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} not accepted: deleted its media {Uri}")]
    private partial void LogDeleted(Guid requestId, string uri);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} not accepted, and deleting its media {Uri} failed ({Error}): delete it by hand")]
    private partial void LogDeleteFailed(Guid requestId, string uri, string error);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Request {RequestId}: the brokers did not confirm the event in time, but it may have been written; keeping its media {Uri} and publishing it again until confirmed")]
    private partial void LogKeptAfterAmbiguousPublish(Guid requestId, string? uri);
}

/// <summary>
/// What the request log line says about one POST (the spec's Observability section): sizes, types, lengths and
/// timings, never content or keys. Filled in as the request goes.
/// </summary>
internal sealed class IntakeLogEntry(long started)
{
    /// <summary>When the request began, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long Started { get; } = started;

    public Guid? RequestId { get; set; }

    public string? MediaType { get; set; }

    public long? MediaBytes { get; set; }

    public int? DescriptionLength { get; set; }

    public int? OutputCount { get; set; }

    public TransformationTask? Task { get; set; }

    public TimeSpan? UploadTime { get; set; }

    public TimeSpan? PublishTime { get; set; }

    public bool Replayed { get; set; }
}
