using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Execution;
using CinematicSwitch.Streaming.Processing.Intake;
using CinematicSwitch.Streaming.Processing.Output;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// A key-parallel, crash-safe, zombie-fenced consumer-group processor, built of parts of one job each:
/// <list type="bullet">
/// <item>this loop owns the consumer and never waits on handler work: it polls, hands records to their partition's
/// intake, applies back-pressure, commits (which renews the owned partitions' leases) and sweeps;</item>
/// <item><see cref="PartitionAssignment{TWork}"/> takes partitions over (claim, changelog, read-back) and gives them up;</item>
/// <item><see cref="RecordAdmission{TIn,TWork}"/> decodes, prepares and dedupes each partition's records in order;</item>
/// <item><see cref="KeyedScheduler{TItem}"/> orders them per key within global and lane caps;</item>
/// <item><see cref="RecordExecutor{TIn,TWork}"/> runs the handler with retries, and <see cref="DecisionPublisher"/> writes
/// each decision to the changelog before relaying its outputs (the outbox).</item>
/// </list>
/// README, "Exactly once", explains the protocol.
/// </summary>
public sealed partial class StreamProcessor<TIn, TWork> : IDisposable
{
    private readonly KafkaClientFactory _clients;
    private readonly StreamProcessorOptions _options;
    private readonly StreamDefinition _definition;
    private readonly IStreamHandler<TIn, TWork> _handler;
    private readonly IAsyncDeserializer<TIn> _deserializer;
    private readonly StreamHealth _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StreamMetrics _metrics;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly KeyedScheduler<AdmittedRecord<TWork>> _scheduler;
    private readonly OffsetCommitter _committer;
    private readonly FlowControl _flow;
    private readonly ChangelogWriter _changelog;
    private readonly ChangelogSweeper _sweeper;
    private readonly FrontierTracker _frontiers;
    private readonly TimeSpan _leaseDuration;
    private volatile bool _draining;

    public StreamProcessor(KafkaClientFactory clients, StreamProcessorOptions options, StreamDefinition definition, IStreamHandler<TIn, TWork> handler,
        IAsyncDeserializer<TIn> deserializer, StreamHealth health, System.Diagnostics.Metrics.IMeterFactory meters, TimeProvider time, ILogger logger)
    {
        _clients = clients;
        _options = options;
        _definition = definition;
        _handler = handler;
        _deserializer = deserializer;
        _health = health;
        _time = time;
        _logger = logger;
        _metrics = new StreamMetrics(meters, options.GroupId, () => health.Snapshot);
        _leaseDuration = OwnershipLease.DurationRenewedEvery(options.CommitInterval, clients.Options);
        // Decisions and outputs wait on acknowledgements; a short linger batches the writes of records deciding together.
        // Every record's acknowledgements pass through the client's one delivery-report thread, which by default copies
        // each message's headers, timestamp and status back: none is read here (only the error and the offset, always set).
        _producer = clients.CreateProducer<byte[]?, byte[]?>(options.GroupId, configure: c =>
        {
            c.LingerMs = 1;
            c.DeliveryReportFields = "none";
        });
        _scheduler = new KeyedScheduler<AdmittedRecord<TWork>>(options.MaxInFlight, options.MaxInFlightPerKey, options.LaneLimits);
        _committer = new OffsetCommitter(time, _metrics, logger);
        _flow = new FlowControl(options.MaxBufferedPerPartition);
        _changelog = new ChangelogWriter(_producer, definition.Topics.State);
        _sweeper = new ChangelogSweeper(_changelog, options.DeduplicationWindow, time);
        _frontiers = new FrontierTracker(new PartitionReader(clients, options.GroupId + ".frontier", time));
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then drains, commits and leaves the group.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => PollLoop(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _frontiers.Dispose();
    }

    private void PollLoop(CancellationToken stoppingToken)
    {
        var topics = _definition.Topics;
        var partitionCounts = TopologyCheck.PartitionCounts(_clients, topics);
        var relay = new OutputRelay(_producer);
        var decisions = new DecisionPublisher(_changelog, _frontiers, relay, _time);
        var encoder = new OutputEncoder(_definition.Routes, partitionCounts);
        var executor = new RecordExecutor<TIn, TWork>(_scheduler, _handler, encoder, decisions, _changelog, topics.DeadLetter, _options, _metrics, _time, _logger);
        var admission = new RecordAdmission<TIn, TWork>(new RecordDecoder<TIn>(_deserializer, _options.MaxRecordBytes), _handler, executor, decisions, relay,
            topics.DeadLetter, _options, _metrics, _time, _logger);
        var assignment = new PartitionAssignment<TWork>(new ChangelogRecovery(_clients, topics, _changelog, _time), admission.RunAsync,
            _scheduler, _committer, _options, _leaseDuration, _metrics, _time, _logger);

        using var consumer = _clients.ConsumerBuilder<byte[]?, byte[]?>(_options.GroupId, _options.GroupId)
            .SetPartitionsAssignedHandler((c, partitions) => assignment.Assigned(c, partitions))
            .SetPartitionsRevokedHandler((c, partitions) => assignment.Revoked(c, [.. partitions.Select(p => p.TopicPartition)]))
            .SetPartitionsLostHandler((_, partitions) => assignment.Lost([.. partitions.Select(p => p.TopicPartition)]))
            .Build();
        consumer.Subscribe(topics.Input);
        LogStarted(_options.GroupId, topics.Input);

        var nextCommit = _time.GetTimestamp();
        var nextSweep = _time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            Poll(consumer, assignment);
            if (Due(ref nextCommit, _options.CommitInterval))
            {
                _committer.Commit(consumer, assignment.Owners);
                assignment.TakeOverLapsed(consumer);
            }

            if (Due(ref nextSweep, TimeSpan.FromMinutes(1)))
            {
                _sweeper.Sweep(assignment.Owners);
            }
        }

        Shutdown(consumer, assignment);
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer, PartitionAssignment<TWork> assignment)
    {
        try
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                Accept(assignment, record);
            }
        }
        catch (ConsumeException e)
        {
            LogConsumeError(_definition.Topics.Input, e.Error.Reason);
        }

        _flow.Apply(consumer, assignment.Owners, _draining);
        _health.Update(Snapshot(consumer, assignment));
    }

    private void Accept(PartitionAssignment<TWork> assignment, ConsumeResult<byte[]?, byte[]?> record)
    {
        if (assignment.Owner(record.TopicPartition) is not { Released: false } owner)
        {
            return;
        }

        lock (owner.Gate)
        {
            if (!owner.Offsets.Received(record.Offset.Value))
            {
                LogSeenAgain(record.TopicPartition.ToString(), record.Offset.Value);
                return;
            }
        }

        _metrics.Consumed();
        owner.Intake.Writer.TryWrite(record);
    }

    /// <summary>Stops admitting, lets the work in hand finish (polling and committing meanwhile), hands the rest over, commits, leaves.</summary>
    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer, PartitionAssignment<TWork> assignment)
    {
        LogStopping(assignment.InFlight);
        _draining = true;
        _scheduler.Stop();
        var started = _time.GetTimestamp();
        var nextCommit = started;
        while (assignment.InFlight > 0 && _time.GetElapsedTime(started) < _options.ShutdownDrainTimeout)
        {
            Poll(consumer, assignment);
            if (Due(ref nextCommit, _options.CommitInterval))
            {
                _committer.Commit(consumer, assignment.Owners);
            }
        }

        assignment.HandOverAll();
        SpinWait.SpinUntil(() => assignment.InFlight == 0, TimeSpan.FromSeconds(5));
        _committer.Commit(consumer, assignment.Owners);
        try
        {
            consumer.Close();
        }
        catch (KafkaException e)
        {
            // Leaving the group did not finish in time (seen under load): the coordinator expires this member's session instead.
            LogLeaveFailed(_options.GroupId, e.Error.Reason);
        }

        LogStopped(_options.GroupId);
    }

    private StreamHealthSnapshot Snapshot(IConsumer<byte[]?, byte[]?> consumer, PartitionAssignment<TWork> assignment)
    {
        var partitions = new List<PartitionHealth>();
        foreach (var owner in assignment.Owners)
        {
            var watermarks = consumer.GetWatermarkOffsets(owner.Partition);
            int buffered;
            long position;
            lock (owner.Gate)
            {
                buffered = owner.Offsets.Pending;
                position = owner.Offsets.Position;
            }

            var lag = watermarks.High.Value >= 0 ? Math.Max(0, watermarks.High.Value - position) : 0;
            partitions.Add(new PartitionHealth(owner.Number, buffered, lag, owner.Paused, owner.RecoveredLedger is not null, owner.StuckReason));
        }

        return new StreamHealthSnapshot(assignment.InFlight, partitions, _time.GetUtcNow(), Running: true);
    }

    private bool Due(ref long next, TimeSpan interval)
    {
        var now = _time.GetTimestamp();
        if (now < next)
        {
            return false;
        }

        next = now + (long)(interval.TotalSeconds * _time.TimestampFrequency);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream processor {Group} consuming {Topic}")]
    private partial void LogStarted(string group, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error on {Topic}: {Reason}")]
    private partial void LogConsumeError(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: offset {Offset} seen again after a reset; skipped")]
    private partial void LogSeenAgain(string partition, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: draining {InFlight} in-flight record(s)")]
    private partial void LogStopping(int inFlight);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream processor {Group} could not leave its group ({Reason}); its session will expire")]
    private partial void LogLeaveFailed(string group, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream processor {Group} stopped")]
    private partial void LogStopped(string group);
}
