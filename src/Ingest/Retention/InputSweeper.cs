using Amazon.Runtime;
using Amazon.S3.Model;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Retention;

/// <summary>What one sweep of the inputs bucket found and did.</summary>
/// <param name="Deleted">Inputs of requests final for longer than the keep time, deleted.</param>
/// <param name="Kept">Inputs of final requests still within the keep time (a failed one may be replayed).</param>
/// <param name="Pending">Inputs of requests without a final outcome: never deleted.</param>
/// <param name="Unknown">Objects of no request the status projection knows (forgotten, never published, or not an input): left to the lifecycle rule.</param>
internal sealed record InputSweep(int Deleted, long DeletedBytes, int Kept, int Pending, int Unknown);

/// <summary>
/// Deletes uploaded inputs once their request's outcome is final (archived, or failed) and
/// <see cref="RetentionOptions.KeepInputsFor"/> has passed since its last event. It decides from the status projection,
/// which every Ingest instance rebuilds from the outcome topics, so it holds no state of its own: a crash or restart
/// loses nothing, and instances sweeping at once only repeat deletions, which S3 makes idempotent. A key counts for a
/// request only under that request's own tenant prefix (<see cref="InputKeys"/>), so no sweep reaches across tenants.
/// </summary>
internal sealed partial class InputSweeper(
    ObjectStore store,
    RequestStatusStore statuses,
    StatusProjection projection,
    IngestMetrics metrics,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<InputSweeper> logger) : BackgroundService
{
    private readonly RetentionOptions _options = options.Value.Retention;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.DeleteInputs)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is AmazonServiceException or AmazonClientException or IOException)
            {
                // S3 is unreachable or refused: the next sweep tries again, nothing is lost by waiting.
                LogSweepFailed(e.GetType().Name, e.Message);
            }
        }
    }

    /// <summary>One pass over the inputs bucket; null when the projection has not read the topics yet (it could miss a replay).</summary>
    public async Task<InputSweep?> SweepAsync(CancellationToken cancellationToken)
    {
        if (!projection.CaughtUp)
        {
            LogNotCaughtUp();
            return null;
        }

        var bucket = store.Options.InputsBucket;
        int deleted = 0, kept = 0, pending = 0, unknown = 0;
        long deletedBytes = 0;
        var listing = new ListObjectsV2Request { BucketName = bucket };
        ListObjectsV2Response page;
        do
        {
            page = await store.Client.ListObjectsV2Async(listing, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                // Judged against the state of now, object by object: a replay published during the sweep keeps its input.
                var state = InputKeys.TryParse(item.Key, out var tenant, out var requestId) ? statuses.Get(requestId, tenant) : null;
                switch (Judge(state, time.GetUtcNow(), _options.KeepInputsFor))
                {
                    case InputFate.Delete:
                        await store.DeleteAsync(new S3ObjectRef(bucket, item.Key), cancellationToken);
                        deleted++;
                        deletedBytes += item.Size ?? 0;
                        break;
                    case InputFate.Keep:
                        kept++;
                        break;
                    case InputFate.AwaitOutcome:
                        pending++;
                        break;
                    default:
                        unknown++;
                        break;
                }
            }

            listing.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        var sweep = new InputSweep(deleted, deletedBytes, kept, pending, unknown);
        metrics.InputsDeleted(deleted, deletedBytes);
        LogSwept(deleted, deletedBytes, kept, pending, unknown);
        return sweep;
    }

    /// <summary>
    /// An input's fate by its request's state: kept while the request has no final outcome (a replay makes it pending
    /// again), and for <paramref name="keep"/> after the request's last event once it has one.
    /// </summary>
    internal static InputFate Judge(RequestState? state, DateTimeOffset now, TimeSpan keep) =>
        state is null ? InputFate.Unknown
        : !state.IsTerminal ? InputFate.AwaitOutcome
        : state.UpdatedAt + keep <= now ? InputFate.Delete
        : InputFate.Keep;

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Input sweep: {Deleted} input(s) deleted ({Bytes} bytes), {Kept} kept within the replay window, {Pending} awaiting an outcome, {Unknown} of no known request")]
    private partial void LogSwept(int deleted, long bytes, int kept, int pending, int unknown);

    [LoggerMessage(Level = LogLevel.Information, Message = "Input sweep skipped: the status projection is still reading the topics")]
    private partial void LogNotCaughtUp();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Input sweep failed: {ErrorType}: {Error}")]
    private partial void LogSweepFailed(string errorType, string error);
}

internal enum InputFate
{
    Unknown,
    AwaitOutcome,
    Keep,
    Delete,
}
