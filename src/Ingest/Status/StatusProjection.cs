using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.Ingest.Status;

/// <summary>
/// Request status and the credits ledger, rebuilt from the topics: every instance reads every partition of the
/// requested, started, completed, failed, archived and credits topics from the beginning (assigned, never in a group, never
/// committing), so the status survives restarts and any instance answers for any request. Ready once it has read
/// each partition to the end it had at startup.
/// </summary>
internal sealed partial class StatusProjection(
    KafkaClientFactory clients,
    RequestStatusStore store,
    CreditsLedger ledger,
    IAsyncDeserializer<TransformationRequested> requested,
    IAsyncDeserializer<TransformationStarted> started,
    IAsyncDeserializer<TransformationCompleted> completed,
    IAsyncDeserializer<TransformationFailed> failed,
    IAsyncDeserializer<TransformationArchived> archived,
    IAsyncDeserializer<CreditsRecorded> credits,
    TimeProvider time,
    ILogger<StatusProjection> logger) : BackgroundService
{
    private long _records;
    private volatile bool _caughtUp;

    public bool CaughtUp => _caughtUp;

    public long RecordsRead => Interlocked.Read(ref _records);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var handlers = new Dictionary<string, Func<byte[], SerializationContext, Task>>(StringComparer.Ordinal)
        {
            [clients.Options.Topic(Topics.Requested)] = async (bytes, context) =>
            {
                var e = await requested.DeserializeAsync(bytes, false, context);
                store.Apply(e.RequestId, s => RequestState.OnRequested(s, e));
            },
            [clients.Options.Topic(Topics.Started)] = async (bytes, context) =>
            {
                var e = await started.DeserializeAsync(bytes, false, context);
                store.Apply(e.RequestId, s => RequestState.OnStarted(s, e, AttemptOf(context)));
            },
            [clients.Options.Topic(Topics.Completed)] = async (bytes, context) =>
            {
                var e = await completed.DeserializeAsync(bytes, false, context);
                store.Apply(e.RequestId, s => RequestState.OnCompleted(s, e));
            },
            [clients.Options.Topic(Topics.Failed)] = async (bytes, context) =>
            {
                var e = await failed.DeserializeAsync(bytes, false, context);
                store.Apply(e.RequestId, s => RequestState.OnFailed(s, e));
            },
            [clients.Options.Topic(Topics.Archived)] = async (bytes, context) =>
            {
                var e = await archived.DeserializeAsync(bytes, false, context);
                store.Apply(e.RequestId, s => RequestState.OnArchived(s, e, AttemptOf(context)));
            },
            [clients.Options.Topic(Topics.CreditsRecorded)] = async (bytes, context) =>
                ledger.Record(StreamHeaders.Text(context.Headers, StreamHeaders.Identity), await credits.DeserializeAsync(bytes, false, context)),
        };

        var partitions = await TopicDiscovery.PartitionsAsync(clients, handlers.Keys, time, logger, stoppingToken);
        LogRebuilding(partitions.Count);
        await new PartitionTailer(clients, "status", time, logger).RunAsync(partitions, Offset.Beginning, async (result, _) =>
        {
            Interlocked.Increment(ref _records);
            if (result.Message.Value is { } value)
            {
                await HandleAsync(handlers[result.Topic], value, result);
            }
        }, elapsed =>
        {
            _caughtUp = true;
            LogCaughtUp(RecordsRead, partitions.Count, (long)elapsed.TotalMilliseconds, store.Count);
        }, stoppingToken);
    }

    private async Task HandleAsync(Func<byte[], SerializationContext, Task> handler, byte[] value, ConsumeResult<byte[]?, byte[]?> result)
    {
        try
        {
            await handler(value, new SerializationContext(MessageComponentType.Value, result.Topic, result.Message.Headers));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A record the projection cannot read costs one request its status, never the others theirs.
            LogUnreadable(result.Topic, result.Partition.Value, result.Offset.Value, e.GetType().Name, e.Message);
        }
    }

    /// <summary>The attempt an event answers, from the identity the stream runtime (or the job announcer) put on it; 0 without one.</summary>
    private static int AttemptOf(SerializationContext context) =>
        RequestIdentity.TryParse(StreamHeaders.Text(context.Headers, StreamHeaders.Identity), out var identity) ? identity.ReplayCount : 0;

    [LoggerMessage(Level = LogLevel.Information, Message = "Status projection: reading {Partitions} partitions from the beginning")]
    private partial void LogRebuilding(int partitions);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Status projection caught up: {Records} records from {Partitions} partitions in {ElapsedMs} ms; {Requests} requests known")]
    private partial void LogCaughtUp(long records, int partitions, long elapsedMs, int requests);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Status projection skipped {Topic}[{Partition}]@{Offset}: {ErrorType}: {Error}")]
    private partial void LogUnreadable(string topic, int partition, long offset, string errorType, string error);
}

/// <summary>Ready once the projection has read what the topics held at startup, so that status answers are not stale.</summary>
internal sealed class StatusProjectionHealthCheck(StatusProjection projection) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(projection.CaughtUp
            ? HealthCheckResult.Healthy($"{projection.RecordsRead} records read")
            : HealthCheckResult.Unhealthy($"rebuilding: {projection.RecordsRead} records read so far"));
}
