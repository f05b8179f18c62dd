using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// A key-parallel, crash-safe consumer-group processor.
/// <list type="bullet">
/// <item>One thread owns the consumer and never waits on handler work: it polls, hands records to each
/// partition's ordered intake, pauses and resumes partitions for back-pressure, and commits.</item>
/// <item>Records of one key run in order, at most <see cref="StreamProcessorOptions.MaxInFlightPerKey"/> at a
/// time; different keys of the same partition run in parallel up to global and per-lane caps.</item>
/// <item>Offsets are committed up to the contiguous prefix of finished records only.</item>
/// <item>Exactly-once publication without Kafka transactions: each record's changelog entry is written
/// before its outputs, and a new owner reads the outputs back (<see cref="RecoveryLoader"/>), so a record
/// seen again after a crash or a rebalance resumes its saved state and publishes only what is missing.</item>
/// </list>
/// </summary>
public sealed class StreamProcessor<TValue> : IDisposable
{
    private readonly KafkaClientFactory _clients;
    private readonly StreamProcessorOptions _options;
    private readonly StreamTopics _topics;
    private readonly IStreamHandler<TValue> _handler;
    private readonly ILogger _logger;
    private readonly StreamMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly KeyedScheduler<WorkItem<TValue>> _scheduler;
    private readonly ConcurrentDictionary<TopicPartition, PartitionWork> _partitions = new();
    private readonly Lock _endOffsetsGate = new();
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TopicReaderClient _endOffsets;
    private readonly RecoveryLoader _recoveryLoader;
    private Dictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);
    private StreamSnapshot _snapshot = StreamSnapshot.Empty;
    private volatile bool _draining;
    private int _finishing;

    public StreamProcessor(
        KafkaClientFactory clients,
        StreamProcessorOptions options,
        StreamTopics topics,
        IStreamHandler<TValue> handler,
        ILogger logger)
    {
        _clients = clients;
        _options = options;
        _topics = topics;
        _handler = handler;
        _logger = logger;
        _scheduler = new KeyedScheduler<WorkItem<TValue>>(options.MaxInFlight, options.MaxInFlightPerKey, options.LaneLimits);
        _metrics = new StreamMetrics(options.GroupId, () => _snapshot);
        // Short linger: each record waits on a few sequential acknowledgements (changelog, outputs).
        _producer = clients.CreateProducer<byte[]?, byte[]?>(options.GroupId, configure: c => c.LingerMs = 1);
        _endOffsets = new TopicReaderClient(clients, options.GroupId);
        _recoveryLoader = new RecoveryLoader(clients, options.GroupId, topics.State, [.. topics.Outputs, topics.DeadLetter]);
    }

    /// <summary>Records being worked on now (for tests and readiness).</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _scheduler.InFlight;
            }
        }
    }

    /// <summary>Runs until <paramref name="stoppingToken"/> fires, then drains, commits and leaves the group.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => PollLoop(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _endOffsets.Dispose();
    }

    private void PollLoop(CancellationToken stoppingToken)
    {
        _partitionCounts = ReadPartitionCounts();
        using var consumer = _clients.ConsumerBuilder<byte[]?, byte[]?>(_options.GroupId, _options.GroupId)
            .SetPartitionsAssignedHandler((c, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((c, partitions) => OnReleased(c, partitions.Select(p => p.TopicPartition).ToList(), lost: false))
            .SetPartitionsLostHandler((c, partitions) => OnReleased(c, partitions.Select(p => p.TopicPartition).ToList(), lost: true))
            .Build();
        consumer.Subscribe(_topics.Input);
        _logger.LogInformation("Stream processor {Group} consuming {Topic}", _options.GroupId, _topics.Input);

        var nextCommit = DateTime.UtcNow + _options.CommitInterval;
        var nextSweep = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            Poll(consumer);
            if (DateTime.UtcNow >= nextCommit)
            {
                Commit(consumer);
                RefreshSnapshot(consumer);
                nextCommit = DateTime.UtcNow + _options.CommitInterval;
            }

            if (DateTime.UtcNow >= nextSweep)
            {
                SweepChangelog();
                nextSweep = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            }
        }

        Shutdown(consumer);
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                Accept(record);
            }
        }
        catch (ConsumeException e)
        {
            _logger.LogWarning("Consume error on {Topic}: {Reason}", _topics.Input, e.Error.Reason);
        }

        ApplyBackPressure(consumer);
    }

    private void Accept(ConsumeResult<byte[]?, byte[]?> record)
    {
        if (!_partitions.TryGetValue(record.TopicPartition, out var work) || work.Released)
        {
            return;
        }

        lock (_gate)
        {
            if (!work.Offsets.Received(record.Offset.Value))
            {
                _logger.LogWarning("{Partition}: offset {Offset} seen again after a reset; skipped", record.TopicPartition, record.Offset.Value);
                return;
            }
        }

        _metrics.Consumed();
        work.Intake.Writer.TryWrite(record);
    }

    private void OnAssigned(List<TopicPartition> partitions)
    {
        _metrics.Rebalanced("assigned", partitions.Count);
        _logger.LogInformation("Assigned {Partitions}", string.Join(", ", partitions.Select(p => p.Partition.Value)));
        foreach (var partition in partitions)
        {
            var work = new PartitionWork(partition);
            _partitions[partition] = work;
            work.IntakeLoop = Task.Run(() => IntakeLoopAsync(work));
        }
    }

    /// <summary>
    /// Revoked: queued records are dropped (the next owner reads them again), in-flight ones get
    /// <see cref="StreamProcessorOptions.RevokeDrainTimeout"/> to finish, then are handed over unfinished, and
    /// what finished is committed. Lost: the partition already belongs to someone else; nothing is committed.
    /// </summary>
    private void OnReleased(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions, bool lost)
    {
        _metrics.Rebalanced(lost ? "lost" : "revoked", partitions.Count);
        _logger.LogInformation("{Kind} {Partitions}", lost ? "Lost" : "Revoked", string.Join(", ", partitions.Select(p => p.Partition.Value)));
        var released = partitions.Select(p => _partitions.TryGetValue(p, out var w) ? w : null).OfType<PartitionWork>().ToList();
        lock (_gate)
        {
            foreach (var work in released)
            {
                work.Released = true;
                work.Intake.Writer.TryComplete();
            }

            var set = released.ToHashSet();
            _scheduler.RemoveQueued(item => set.Contains(item.Work));
        }

        if (!lost)
        {
            WaitForInFlight(released, _options.RevokeDrainTimeout);
        }

        foreach (var work in released)
        {
            // The intake stops at once; unfinished handlers stop at their next await, their state saved.
            work.HandOver();
        }

        WaitForInFlight(released, TimeSpan.FromSeconds(5));
        if (!lost)
        {
            Commit(consumer, released);
        }

        foreach (var work in released)
        {
            _partitions.TryRemove(work.Partition, out _);
            work.Dispose();
        }
    }

    private void WaitForInFlight(List<PartitionWork> works, TimeSpan timeout)
    {
        if (!SpinWait.SpinUntil(() => works.All(w => w.InFlight == 0), timeout))
        {
            _logger.LogWarning("Handing over {Count} unfinished record(s) of {Partitions}",
                works.Sum(w => w.InFlight), string.Join(", ", works.Select(w => w.Partition.Partition.Value)));
        }
    }

    private async Task IntakeLoopAsync(PartitionWork work)
    {
        var token = work.HandoverToken;
        try
        {
            work.Recovery = await RetryAsync(() => _recoveryLoader.LoadAsync(work.Partition.Partition.Value, token), "recovering", work, token);
            _logger.LogInformation("{Partition} recovered: {Entries} changelog entries", work.Partition, work.Recovery.Entries.Count());
            await foreach (var record in work.Intake.Reader.ReadAllAsync(token))
            {
                await AdmitAsync(work, record, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "Intake of {Partition} failed; its records stay uncommitted", work.Partition);
        }
    }

    /// <summary>Decodes a record and queues it behind its key, unless it was already processed.</summary>
    private async Task AdmitAsync(PartitionWork work, ConsumeResult<byte[]?, byte[]?> raw, CancellationToken token)
    {
        TValue value;
        try
        {
            value = await RetryAsync(() => _handler.DecodeAsync(raw, token).AsTask(), "decoding", work, token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await DeadLetterAsync(work, raw, $"offset:{raw.Offset.Value}", key: null, "undecodable", e, attempts: 1, token);
            Finish(work, raw.Offset.Value);
            return;
        }

        var identity = _handler.IdentityOf(value);
        var entry = work.Recovery!.Entry(identity);
        if (entry is { Done: true, DeadLettered: true } && raw.Offset.Value > entry.Offset && IsReplay(raw.Message.Headers))
        {
            // An operator sent the dead letter back once its cause was fixed: a fresh run under the same identity.
            _logger.LogInformation("{Partition}@{Offset}: {Identity} was dead-lettered at {DeadLettered} and is replayed", work.Partition,
                raw.Offset.Value, identity, entry.Offset);
            entry = null;
        }

        if (entry is { Done: true } || (entry is not null && entry.Offset != raw.Offset.Value))
        {
            // Processed before (an upstream duplicate), or being processed from an earlier offset.
            _logger.LogInformation("{Partition}@{Offset}: {Identity} already processed; skipped", work.Partition, raw.Offset.Value, identity);
            _metrics.Duplicate();
            Finish(work, raw.Offset.Value);
            return;
        }

        var key = raw.Message.Key is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        var record = new StreamRecord<TValue>(value, key, raw.TopicPartitionOffset, raw.Message.Timestamp.UtcDateTime, raw.Message.Headers ?? []);
        var item = new WorkItem<TValue>(work, record, raw.Message.Value, identity, _handler.LaneOf(value), entry);
        bool duplicate;
        lock (_gate)
        {
            if (work.Released)
            {
                return;
            }

            // A copy of a record still queued or running has no finished changelog entry to recognise it by yet.
            duplicate = !work.Unfinished.Add(identity);
            if (!duplicate)
            {
                _scheduler.Enqueue(key ?? "", item.Lane, item);
            }
        }

        if (duplicate)
        {
            _logger.LogInformation("{Partition}@{Offset}: {Identity} is already being processed; skipped", work.Partition, raw.Offset.Value, identity);
            _metrics.Duplicate();
            Finish(work, raw.Offset.Value);
            return;
        }

        Pump();
    }

    /// <summary>Starts every queued record that may run now.</summary>
    private void Pump()
    {
        var started = new List<WorkItem<TValue>>();
        lock (_gate)
        {
            while (!_draining && _scheduler.TryTake(out var next))
            {
                next.Item.Work.InFlight++;
                started.Add(next.Item);
            }
        }

        foreach (var item in started)
        {
            _ = Task.Run(() => ExecuteAsync(item));
        }
    }

    private async Task ExecuteAsync(WorkItem<TValue> item)
    {
        var work = item.Work;
        var token = work.HandoverToken;
        var started = DateTimeOffset.UtcNow;
        // The record's trace: provider calls, outputs and the dead letter are its children.
        using var activity = KafkaTracing.StartProcess(_options.GroupId, item.Record.Source, item.Record.Key, item.Record.Headers);
        Task? done = null;
        try
        {
            done = await ProcessAsync(item, token);
            _metrics.Completed(DateTimeOffset.UtcNow - started, DateTimeOffset.UtcNow - item.Record.Timestamp);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            _logger.LogInformation("{Source}: handed over unfinished", item.Record.Source);
        }
        catch (Exception e)
        {
            // Only reachable when even dead-lettering failed: the record stays uncommitted and is retried by
            // the next owner.
            _logger.LogCritical(e, "{Source}: could not be finished or dead-lettered", item.Record.Source);
        }
        finally
        {
            lock (_gate)
            {
                _scheduler.Completed(item.Record.Key ?? "", item.Lane);
                work.InFlight--;
                work.Unfinished.Remove(item.Identity);
            }

            Pump();
        }

        await FinishWhenDoneAsync(work, item, done);
    }

    /// <summary>
    /// The record's place goes to the next record as soon as its outputs are published; its offset becomes
    /// committable only once its finished entry is durable, so recovery never sees it half-done.
    /// </summary>
    private async Task FinishWhenDoneAsync(PartitionWork work, WorkItem<TValue> item, Task? done)
    {
        if (done is null)
        {
            return;
        }

        Interlocked.Increment(ref _finishing);
        try
        {
            await done;
            Finish(work, item.Record.Source.Offset.Value);
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "{Source}: its finished entry could not be written; it stays uncommitted", item.Record.Source);
        }
        finally
        {
            Interlocked.Decrement(ref _finishing);
        }
    }

    /// <summary>Runs the handler and publishes its outputs; returns the write of the record's finished entry.</summary>
    private async Task<Task> ProcessAsync(WorkItem<TValue> item, CancellationToken token)
    {
        var work = item.Work;
        var state = new RecordStateHandle(Changelog(work), work.Recovery!, item.Identity, item.Record.Source.Offset.Value,
            ScanKeys(item.Record.Key, work.Partition.Partition.Value), item.Entry);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outputs = await _handler.HandleAsync(item.Record, state, token);
                await state.EnsureWrittenAsync(token);
                foreach (var output in outputs)
                {
                    await PublishAsync(work, item, output);
                }

                return state.MarkDoneAsync();
            }
            catch (Exception e) when (!token.IsCancellationRequested && e is not OperationCanceledException)
            {
                _metrics.HandlerFailed();
                if (attempt < _options.MaxAttempts || RetriableException.IsRetriable(e))
                {
                    _logger.LogWarning("{Source}: attempt {Attempt} failed ({Error}); retrying", item.Record.Source, attempt, e.GetType().Name);
                    await Task.Delay(_options.RetryBackoff * Math.Min(attempt, 20), token);
                    continue;
                }

                _logger.LogError(e, "{Source}: failed {Attempts} times; dead-lettered", item.Record.Source, attempt);
                await state.EnsureWrittenAsync(token);
                await DeadLetterAsync(work, item, e, attempt);
                return state.MarkDoneAsync(deadLettered: true);
            }
        }
    }

    private async Task PublishAsync(PartitionWork work, WorkItem<TValue> item, OutputRecord output)
    {
        if (!_topics.Outputs.Contains(output.Topic))
        {
            throw new InvalidOperationException($"Output topic {output.Topic} is not one of the processor's declared outputs.");
        }

        if (work.Recovery!.IsPublished(item.Identity, output.Name))
        {
            return;
        }

        var headers = new Headers
        {
            { StreamHeaders.Identity, Encoding.UTF8.GetBytes(item.Identity) },
            { StreamHeaders.Output, Encoding.UTF8.GetBytes(output.Name) },
            { StreamHeaders.Source, Encoding.UTF8.GetBytes(Describe(item.Record.Source)) },
        };
        foreach (var (name, value) in output.Headers ?? new Dictionary<string, string>())
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        var partition = OutputPartition(output.Topic, item.Record.Key, work.Partition.Partition.Value);
        var delivered = await _producer.ProduceTracedAsync(new TopicPartition(output.Topic, partition), new Message<byte[]?, byte[]?>
        {
            Key = item.Record.Key is { } key ? Encoding.UTF8.GetBytes(key) : null,
            Value = output.Value,
            Headers = headers,
        });
        work.Recovery.MarkPublished(item.Identity, output.Name);
        work.Recovery.AdvanceFrontier(StateEntry.ScanKey(output.Topic, partition), delivered.Offset.Value + 1);
    }

    private Task DeadLetterAsync(PartitionWork work, WorkItem<TValue> item, Exception error, int attempts) =>
        PublishDeadLetterAsync(work, item.Record.Source, item.Identity, "processing-failed", error, attempts, item.Record.Timestamp,
            item.Record.Key, null, item.Record.Headers, item.RawValue);

    /// <summary>An undecodable record: its changelog entry first (so a crash cannot duplicate it), then its original bytes.</summary>
    private async Task DeadLetterAsync(PartitionWork work, ConsumeResult<byte[]?, byte[]?> raw, string identity, string? key, string reason,
        Exception error, int attempts, CancellationToken token)
    {
        var existing = work.Recovery!.Entry(identity);
        if (existing is { Done: true })
        {
            return;
        }

        var state = new RecordStateHandle(Changelog(work), work.Recovery, identity, raw.Offset.Value,
            [StateEntry.ScanKey(_topics.DeadLetter, work.Partition.Partition.Value)], existing);

        _logger.LogWarning("{Source}: undecodable ({Error}: {Message}); dead-lettered", raw.TopicPartitionOffset, error.GetType().Name, error.Message);
        await state.EnsureWrittenAsync(token);
        await PublishDeadLetterAsync(work, raw.TopicPartitionOffset, identity, reason, error, attempts, raw.Message.Timestamp.UtcDateTime, key,
            raw.Message.Key, raw.Message.Headers, raw.Message.Value);
        await state.MarkDoneAsync(deadLettered: true);
    }

    private async Task PublishDeadLetterAsync(PartitionWork work, TopicPartitionOffset source, string identity, string reason, Exception error,
        int attempts, DateTimeOffset timestamp, string? key, byte[]? rawKey, Headers? originalHeaders, byte[]? value)
    {
        if (work.Recovery!.IsPublished(identity, StreamHeaders.DeadLetterOutput))
        {
            return;
        }

        var message = new Message<byte[]?, byte[]?>
        {
            Key = rawKey ?? (key is null ? null : Encoding.UTF8.GetBytes(key)),
            Value = value,
            Headers = [],
        };
        foreach (var header in originalHeaders ?? [])
        {
            message.Headers.Add(header.Key, header.GetValueBytes());
        }

        // The reason says what failed, never user content: exception type and message only.
        void Add(string name, string value) => message.Headers.Add(name, Encoding.UTF8.GetBytes(value));
        Add(StreamHeaders.Identity, identity);
        Add(StreamHeaders.Output, StreamHeaders.DeadLetterOutput);
        Add(StreamHeaders.DeadLetterReason, $"{reason}: {error.Message}");
        Add(StreamHeaders.DeadLetterErrorType, error.GetType().FullName ?? error.GetType().Name);
        Add(StreamHeaders.DeadLetterOriginalTopic, source.Topic);
        Add(StreamHeaders.DeadLetterOriginalPartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterOriginalOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterOriginalTimestamp, timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterFailedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterAttempts, attempts.ToString(CultureInfo.InvariantCulture));

        var partition = work.Partition.Partition.Value;
        // Inside the record's process span, or (undecodable, never processed) in the trace the record carried.
        var delivered = await _producer.ProduceTracedAsync(new TopicPartition(_topics.DeadLetter, partition), message, KafkaTracing.Extract(originalHeaders));
        work.Recovery.MarkPublished(identity, StreamHeaders.DeadLetterOutput);
        work.Recovery.AdvanceFrontier(StateEntry.ScanKey(_topics.DeadLetter, partition), delivered.Offset.Value + 1);
        _metrics.DeadLettered(reason);
    }

    private void Finish(PartitionWork work, long offset)
    {
        lock (_gate)
        {
            if (!work.Released)
            {
                work.Offsets.Finished(offset);
            }
        }
    }

    private void ApplyBackPressure(IConsumer<byte[]?, byte[]?> consumer)
    {
        foreach (var work in _partitions.Values)
        {
            int buffered;
            lock (_gate)
            {
                buffered = work.Offsets.Pending;
            }

            if (!work.Paused && (buffered >= _options.MaxBufferedPerPartition || _draining))
            {
                consumer.Pause([work.Partition]);
                work.Paused = true;
            }
            else if (work.Paused && !_draining && buffered <= _options.MaxBufferedPerPartition / 2)
            {
                consumer.Resume([work.Partition]);
                work.Paused = false;
            }
        }
    }

    private void Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<PartitionWork>? only = null)
    {
        var offsets = new List<(PartitionWork Work, long Offset)>();
        lock (_gate)
        {
            foreach (var work in only ?? _partitions.Values)
            {
                if (work.Offsets.Committable() is { } offset)
                {
                    offsets.Add((work, offset));
                }
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets.Select(o => new TopicPartitionOffset(o.Work.Partition, o.Offset)));
            lock (_gate)
            {
                foreach (var (work, offset) in offsets)
                {
                    work.Offsets.Committed(offset);
                }
            }
        }
        catch (KafkaException e)
        {
            // Typically a rebalance in progress: the next commit carries the same offsets.
            _logger.LogDebug("Commit deferred: {Reason}", e.Error.Reason);
        }
    }

    /// <summary>Forgets finished records older than the deduplication window, in memory and in the changelog.</summary>
    private void SweepChangelog()
    {
        var horizon = DateTimeOffset.UtcNow - _options.DeduplicationWindow;
        foreach (var work in _partitions.Values)
        {
            if (work.Recovery is not { } recovery || work.Released)
            {
                continue;
            }

            var changelog = Changelog(work);
            foreach (var entry in recovery.Entries.Where(e => e.Done && e.UpdatedAt < horizon).ToList())
            {
                recovery.Remove(entry.Identity);
                _ = changelog.TombstoneAsync(entry.Identity);
            }
        }
    }

    private void Shutdown(IConsumer<byte[]?, byte[]?> consumer)
    {
        _logger.LogInformation("Stopping: draining {InFlight} in-flight record(s)", InFlight);
        _draining = true;
        var deadline = DateTime.UtcNow + _options.ShutdownDrainTimeout;
        while (InFlight > 0 && DateTime.UtcNow < deadline)
        {
            Poll(consumer);
        }

        var works = _partitions.Values.ToList();
        foreach (var work in works)
        {
            work.HandOver();
        }

        WaitForInFlight(works, TimeSpan.FromSeconds(5));
        // Records whose outputs are out wait for their finished entries, so that their offsets get committed now.
        _producer.Flush(TimeSpan.FromSeconds(10));
        SpinWait.SpinUntil(() => Volatile.Read(ref _finishing) == 0, TimeSpan.FromSeconds(5));
        Commit(consumer);
        consumer.Close();
        _logger.LogInformation("Stream processor {Group} stopped", _options.GroupId);
    }

    private void RefreshSnapshot(IConsumer<byte[]?, byte[]?> consumer)
    {
        var partitions = new List<PartitionSnapshot>();
        foreach (var work in _partitions.Values)
        {
            var watermarks = consumer.GetWatermarkOffsets(work.Partition);
            long position;
            try
            {
                position = consumer.Position(work.Partition).Value;
            }
            catch (KafkaException)
            {
                position = -1;
            }

            int buffered;
            lock (_gate)
            {
                buffered = work.Offsets.Pending;
            }

            var lag = watermarks.High.Value >= 0 && position >= 0 ? watermarks.High.Value - position : 0;
            partitions.Add(new PartitionSnapshot(work.Partition.Partition.Value, buffered, lag, work.Paused));
        }

        _snapshot = new StreamSnapshot(InFlight, partitions);
    }

    private async Task<T> RetryAsync<T>(Func<Task<T>> action, string what, PartitionWork work, CancellationToken token)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (!token.IsCancellationRequested && (RetriableException.IsRetriable(e) || e is KafkaException))
            {
                _logger.LogWarning("{Partition}: {What} failed ({Error}); retrying", work.Partition, what, e.Message);
                await Task.Delay(_options.RetryBackoff * Math.Min(attempt, 20), token);
            }
        }
    }

    private StateChangelog Changelog(PartitionWork work) =>
        new(_producer, _topics.State, work.Partition.Partition.Value, _endOffsets, _endOffsetsGate);

    /// <summary>Where a record's outputs can land: its key's partition of every output topic, and its dead-letter partition.</summary>
    private List<string> ScanKeys(string? key, int inputPartition) =>
    [
        .. _topics.Outputs.Select(t => StateEntry.ScanKey(t, OutputPartition(t, key, inputPartition))),
        StateEntry.ScanKey(_topics.DeadLetter, inputPartition),
    ];

    /// <summary>The Java client's choice for the key, computed here so recovery knows it before publishing.</summary>
    private int OutputPartition(string topic, string? key, int inputPartition)
    {
        var count = _partitionCounts[topic];
        return key is null ? inputPartition % count : Murmur2.Partition(Encoding.UTF8.GetBytes(key), count);
    }

    private Dictionary<string, int> ReadPartitionCounts()
    {
        using var admin = _clients.CreateAdmin();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in new[] { _topics.Input, _topics.State, _topics.DeadLetter }.Concat(_topics.Outputs))
        {
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)
                ?? throw new InvalidOperationException($"Topic {topic} does not exist: apply the topology first.");
            counts[topic] = found.Partitions.Count;
        }

        foreach (var perPartition in new[] { _topics.State, _topics.DeadLetter })
        {
            if (counts[perPartition] < counts[_topics.Input])
            {
                throw new InvalidOperationException(
                    $"{perPartition} has {counts[perPartition]} partitions but {_topics.Input} has {counts[_topics.Input]}: it needs at least as many.");
            }
        }

        return counts;
    }

    private static bool IsReplay(Headers? headers) => headers?.TryGetLastBytes(StreamHeaders.ReplayedFrom, out _) == true;

    private static string Describe(TopicPartitionOffset source) => $"{source.Topic}/{source.Partition.Value}/{source.Offset.Value}";
}
