using System.Collections.Concurrent;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Status;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Requests whose publish ended without an answer from the brokers (timed out while in flight): the event may be in the
/// log or not. Their media stays, and the same event (same request id) is published again, by a retry with the same
/// Idempotency-Key or by <see cref="InDoubtResolver"/>, until the brokers confirm it or the projection shows it. A request
/// id published twice is one request: the processor runs it once. So every such request ends as one that exists, with
/// its event and its media, and the caller who was told "unknown" learns it from a retry or GET /requests/{id}.
/// </summary>
internal sealed class InDoubtRequests
{
    private readonly ConcurrentDictionary<Guid, TransformationRequested> _requests = new();

    public int Count => _requests.Count;

    public void Add(TransformationRequested request) => _requests[request.RequestId] = request;

    /// <summary>The request in doubt with this id, if it is <paramref name="tenantId"/>'s.</summary>
    public TransformationRequested? Get(Guid requestId, string tenantId) =>
        _requests.TryGetValue(requestId, out var request) && string.Equals(request.TenantId, tenantId, StringComparison.Ordinal) ? request : null;

    public IReadOnlyList<TransformationRequested> All => [.. _requests.Values];

    /// <summary>Publishes the request again; true (and no longer in doubt) once the brokers confirmed it.</summary>
    public async Task<bool> ConfirmAsync(TransformationRequested request, RequestPublisher publisher, RequestStatusStore statuses)
    {
        try
        {
            await publisher.PublishAsync(request);
        }
        catch (PublishFailedException)
        {
            return false;
        }

        statuses.Apply(request.RequestId, s => RequestState.OnRequested(s, request));
        _requests.TryRemove(request.RequestId, out _);
        return true;
    }

    /// <summary>The projection read the event: it was written after all.</summary>
    public void Seen(Guid requestId) => _requests.TryRemove(requestId, out _);
}

/// <summary>
/// Settles requests in doubt without waiting for their callers: every publish timeout, each one the projection has not
/// read yet is published again. A caller that never retries still ends with one request that exists, never an orphaned
/// upload nor an event whose media was deleted.
/// </summary>
internal sealed partial class InDoubtResolver(
    InDoubtRequests inDoubt,
    RequestPublisher publisher,
    RequestStatusStore statuses,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<InDoubtResolver> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.PublishTimeoutMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            foreach (var request in inDoubt.All)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                if (statuses.Get(request.RequestId, request.TenantId) is not null)
                {
                    inDoubt.Seen(request.RequestId);
                    LogSeen(request.RequestId);
                }
                else if (await inDoubt.ConfirmAsync(request, publisher, statuses))
                {
                    LogConfirmed(request.RequestId);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}, in doubt after a publish timed out, is on the topic")]
    private partial void LogSeen(Guid requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}, in doubt after a publish timed out, was published again and confirmed")]
    private partial void LogConfirmed(Guid requestId);
}
