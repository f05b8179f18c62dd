using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Output;
using CinematicSwitch.Streaming.Processing.Ownership;
using Microsoft.Extensions.Logging;
using Polly;

namespace CinematicSwitch.Streaming.Processing.Execution;

/// <summary>
/// Runs an admitted record to its decision: waits for its turn, runs the handler under the partition's lease, encodes
/// its outputs, and has them decided and published. A failed attempt gives its places back while it waits to be tried
/// again (exponential back-off with jitter): transient failures (a dependency down) until
/// <see cref="StreamProcessorOptions.TransientRetryDeadline"/>, others up to <see cref="StreamProcessorOptions.MaxAttempts"/>;
/// then the record is dead-lettered, its partition moving on. A record withdrawn or handed over stops where it is.
/// </summary>
internal sealed partial class RecordExecutor<TIn, TWork>
{
    private static readonly ResiliencePropertyKey<DateTimeOffset> FirstFailure = new("cinematic.first-failure");

    private readonly KeyedScheduler<AdmittedRecord<TWork>> _scheduler;
    private readonly IStreamHandler<TIn, TWork> _handler;
    private readonly OutputEncoder _encoder;
    private readonly DecisionPublisher _decisions;
    private readonly ChangelogWriter _changelog;
    private readonly string _deadLetterTopic;
    private readonly string _group;
    private readonly StreamMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _attempts;
    private readonly PartitionRetry _publishing;

    public RecordExecutor(KeyedScheduler<AdmittedRecord<TWork>> scheduler, IStreamHandler<TIn, TWork> handler, OutputEncoder encoder,
        DecisionPublisher decisions, ChangelogWriter changelog, string deadLetterTopic, StreamProcessorOptions options, StreamMetrics metrics,
        TimeProvider time, ILogger logger)
    {
        _scheduler = scheduler;
        _handler = handler;
        _encoder = encoder;
        _decisions = decisions;
        _changelog = changelog;
        _deadLetterTopic = deadLetterTopic;
        _group = options.GroupId;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _attempts = StreamRetry.Pipeline(options, time,
            (e, args) => RetriableException.IsRetriable(e)
                ? time.GetUtcNow() - args.Context.Properties.GetValue(FirstFailure, time.GetUtcNow()) < options.TransientRetryDeadline
                : args.AttemptNumber + 1 < options.MaxAttempts,
            args =>
            {
                _metrics.HandlerFailed();
                LogRetrying(args.AttemptNumber + 1, args.Outcome.Exception!.GetType().Name, args.RetryDelay);
                return ValueTask.CompletedTask;
            });
        _publishing = PartitionRetry.ForDecisions(options, metrics, time, logger);
    }

    /// <summary>Runs the record to its decision; returns false when it was withdrawn or handed over unfinished.</summary>
    public async Task<bool> RunAsync(AdmittedRecord<TWork> record)
    {
        // One span per record, from its turn to its outputs published: they are its children, so one request is one trace.
        using var activity = KafkaTracing.StartProcess(_group, record.Raw.TopicPartitionOffset, record.Raw.Message.Key is null ? null : record.Key,
            record.Raw.Message.Headers);
        var token = record.Owner.HandoverToken;
        var state = new RecordStateHandle(_changelog, record.Owner, record.Ledger, record.Identity, record.Offset, _time);
        var started = _time.GetTimestamp();
        var context = ResilienceContextPool.Shared.Get(token);
        var attempts = 0;
        IReadOnlyList<Changelog.StoredOutput> outputs;
        var deadLettered = false;
        try
        {
            outputs = await _attempts.ExecuteAsync(async ctx =>
            {
                attempts++;
                return await AttemptAsync(record, state, ctx);
            }, context);
        }
        catch (Exception e) when (HandOver.Is(e, token))
        {
            _scheduler.Abandon(record.Key, record);
            LogHandedOver(record.Raw.TopicPartitionOffset.ToString());
            return false;
        }
        catch (Exception e)
        {
            _scheduler.Abandon(record.Key, record);
            _metrics.HandlerFailed();
            LogDeadLettered(e, record.Raw.TopicPartitionOffset.ToString(), attempts);
            outputs = [DeadLetters.Build(_deadLetterTopic, record.Raw, record.Identity, record.Ledger.Epoch, "processing-failed", e, attempts, _time.GetUtcNow())];
            deadLettered = true;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        try
        {
            await _publishing.ExecuteAsync(record.Owner, "publishing its decision", async ct => await _decisions.DecideAsync(record.Owner, record.Ledger, record.Identity, record.Offset,
                outputs, state.Payload, deadLettered, ct), token);
        }
        catch (Exception e) when (HandOver.Is(e, token))
        {
            LogHandedOver(record.Raw.TopicPartitionOffset.ToString());
            return false;
        }

        _metrics.Completed(_time.GetElapsedTime(started), _time.GetUtcNow() - record.Raw.Message.Timestamp.UtcDateTime, deadLettered);
        return true;
    }

    /// <summary>One attempt: its turn, the handler under the lease, the outputs encoded; its places given back either way.</summary>
    private async ValueTask<IReadOnlyList<Changelog.StoredOutput>> AttemptAsync(AdmittedRecord<TWork> record, RecordStateHandle state, ResilienceContext context)
    {
        var token = context.CancellationToken;
        await _scheduler.WaitTurnAsync(record.Key, record.Lane, record, token);
        var done = false;
        try
        {
            await record.Owner.Lease.EnsureAsync(token);
            var outputs = await _handler.HandleAsync(record.ToStreamRecord(), state, token);
            var encoded = await _encoder.EncodeAsync(outputs, record.Identity, record.Raw.Message.Key is null ? null : record.Key,
                record.Raw.TopicPartitionOffset, record.Ledger.Epoch);
            done = true;
            return encoded;
        }
        catch (Exception)
        {
            if (!context.Properties.TryGetValue(FirstFailure, out _))
            {
                context.Properties.Set(FirstFailure, _time.GetUtcNow());
            }

            throw;
        }
        finally
        {
            if (done || token.IsCancellationRequested)
            {
                _scheduler.Completed(record.Key, record.Lane);
            }
            else
            {
                _scheduler.Pause(record.Key, record.Lane, record);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attempt {Attempt} of a record failed ({Error}); trying again in {Delay}")]
    private partial void LogRetrying(int attempt, string error, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Source}: failed {Attempts} time(s); dead-lettered")]
    private partial void LogDeadLettered(Exception error, string source, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Source}: handed over unfinished")]
    private partial void LogHandedOver(string source);
}
