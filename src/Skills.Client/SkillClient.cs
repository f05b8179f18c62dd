using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging;
using Records = io.cinematicswitch.events;

namespace CinematicSwitch.Skills.Client;

/// <summary>
/// Requests videos for a tenant's skills and waits for their outcomes: publishes a TransformationRequested keyed by the
/// tenant, and joins, by request id, the completed or failed event, the archived event (the permanent URL) and the
/// credits entry. One consumer per client, shared by every waiting request; one client per process is enough.
/// Start it with <see cref="StartAsync"/>. README.md beside this file.
/// </summary>
public sealed partial class SkillClient : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(15);

    private readonly SkillClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CachedSchemaRegistryClient _registry;
    private readonly IProducer<string, byte[]> _producer;
    private readonly IConsumer<string, byte[]?> _consumer;
    private readonly IAsyncSerializer<TransformationRequested> _requestWriter;
    private readonly Dictionary<string, Func<byte[], SerializationContext, ICinematicEvent>> _readers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Guarded by _gate: what is known of the tenant's requests, and who waits for which.
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, RequestProgress> _progress = [];
    private readonly Dictionary<Guid, Waiter> _waiters = [];
    private Dictionary<TopicPartition, long> _catchUpTargets = [];
    private long _observed;
    private DateTimeOffset _since;
    private int _disposed;
    private Task _loop = Task.CompletedTask;

    public SkillClient(SkillClientOptions options, ILogger<SkillClient> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.ThrowIfInvalid();
        _options = options;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _registry = new CachedSchemaRegistryClient(new SchemaRegistryConfig
        {
            Url = options.SchemaRegistryUrl,
            BasicAuthUserInfo = options.SchemaRegistryBasicAuthUserInfo,
            BasicAuthCredentialsSource = options.SchemaRegistryBasicAuthUserInfo is null ? null : AuthCredentialsSource.UserInfo,
        });
        _requestWriter = EventCodec.Serializer<TransformationRequested, Records.TransformationRequested>(_registry, options.AutoRegisterSchemas);
        _readers = new Dictionary<string, Func<byte[], SerializationContext, ICinematicEvent>>(StringComparer.Ordinal)
        {
            [options.Topic(Topics.Requested)] = Reader<TransformationRequested, Records.TransformationRequested>(),
            [options.Topic(Topics.Completed)] = Reader<TransformationCompleted, Records.TransformationCompleted>(),
            [options.Topic(Topics.Failed)] = Reader<TransformationFailed, Records.TransformationFailed>(),
            [options.Topic(Topics.Archived)] = Reader<TransformationArchived, Records.TransformationArchived>(),
            [options.Topic(Topics.CreditsRecorded)] = Reader<CreditsRecorded, Records.CreditsRecorded>(),
        };

        // Copies: a client config wraps the dictionary it is given, and the producer's settings are not the consumer's.
        var producer = new ProducerConfig(new Dictionary<string, string>(options.KafkaProperties))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            // As the Java client partitions: a tenant's requests land where the services' own producers put them.
            Partitioner = Partitioner.Murmur2Random,
        };
        _producer = new ProducerBuilder<string, byte[]>(producer)
            .SetErrorHandler((_, e) => LogKafkaError("producer", e.Code, e.Reason))
            .Build();

        var consumer = new ConsumerConfig(new Dictionary<string, string>(options.KafkaProperties))
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = options.ClientId,
            // Assigned, never subscribed, nothing committed: the group id is only what the client library asks for.
            // Where to read from is decided at each start (the look-back).
            GroupId = options.ClientId + ".outcomes",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
        };
        _consumer = new ConsumerBuilder<string, byte[]?>(consumer)
            .SetErrorHandler((_, e) => LogKafkaError("consumer", e.Code, e.Reason))
            .Build();
    }

    /// <summary>The tenant this client requests for.</summary>
    public string TenantId => _options.TenantId;

    /// <summary>
    /// Starts reading the tenant's requests and outcomes from <see cref="SkillClientOptions.Lookback"/> ago. Requests made
    /// before it has read up to the present wait for it, so a retry after a restart finds what was published meanwhile.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _since = _time.GetUtcNow() - _options.Lookback;
        var (positions, targets) = await Task.Run(() => StartPositions(_since), cancellationToken);
        lock (_gate)
        {
            _catchUpTargets = targets;
        }

        _consumer.Assign(positions);
        LogStarted(_options.TenantId, positions.Count, _options.Lookback);
        if (targets.Count == 0)
        {
            CaughtUp();
        }

        _loop = Task.Factory.StartNew(() => ConsumeLoop(_stopping.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Requests a video and waits for its outcome: the archived video, its length and cost, or a
    /// <see cref="SkillVideoException"/> with the skill error code and the provider's reason. Cancelling
    /// <paramref name="cancellationToken"/> (a timeout) stops the wait only: the request goes on, and asking again with
    /// the same idempotency key waits for the same request.
    /// </summary>
    public async Task<SkillVideo> RequestVideoAsync(VideoRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!RequestIds.IsValidIdempotencyKey(request.IdempotencyKey))
        {
            throw new ArgumentException($"The idempotency key must be 1 to {RequestIds.MaxIdempotencyKeyLength} visible ASCII characters.", nameof(request));
        }

        var requestId = RequestIds.FromIdempotencyKey(_options.TenantId, request.IdempotencyKey);
        var waiter = Join(requestId);
        try
        {
            // Until the client has read up to the present, it cannot know whether the request was already published.
            await _caughtUp.Task.WaitAsync(cancellationToken);
            if (ClaimPublish(requestId, waiter))
            {
                try
                {
                    await PublishAsync(requestId, request, cancellationToken);
                }
                catch
                {
                    lock (_gate)
                    {
                        waiter.Publishing = false;
                    }

                    throw;
                }
            }
            else
            {
                LogResumed(requestId);
            }

            return await waiter.Outcome.WaitAsync(cancellationToken);
        }
        finally
        {
            Leave(requestId, waiter);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _loop;
        _caughtUp.TrySetCanceled();
        lock (_gate)
        {
            foreach (var waiter in _waiters.Values)
            {
                waiter.Cancel();
            }
        }

        _consumer.Close();
        _consumer.Dispose();
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _registry.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The offset of each watched partition's first record at or after <paramref name="since"/>; where each ends now.</summary>
    private (List<TopicPartitionOffset> Positions, Dictionary<TopicPartition, long> Targets) StartPositions(DateTimeOffset since)
    {
        using var admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        var partitions = new List<TopicPartition>();
        foreach (var topic in _readers.Keys)
        {
            var metadata = admin.GetMetadata(topic, MetadataTimeout).Topics.Single();
            if (metadata.Error.IsError)
            {
                throw new KafkaException(metadata.Error);
            }

            partitions.AddRange(metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)));
        }

        var timestamp = new Timestamp(since.UtcDateTime);
        var starts = _consumer.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, timestamp)), MetadataTimeout);
        var targets = new Dictionary<TopicPartition, long>();
        var positions = new List<TopicPartitionOffset>();
        foreach (var start in starts)
        {
            var watermarks = _consumer.QueryWatermarkOffsets(start.TopicPartition, MetadataTimeout);
            // No offset for the time: either no record since then, or a broker without timestamp look-ups (the embedded
            // cluster answers none). Reading such a partition from its beginning is right in both cases; its older
            // records are skipped by their timestamps.
            var from = start.Offset.Value >= 0 ? start.Offset.Value : watermarks.Low.Value;
            var end = watermarks.High.Value;
            positions.Add(new TopicPartitionOffset(start.TopicPartition, from));
            if (from < end)
            {
                targets[start.TopicPartition] = end;
            }
        }

        return (positions, targets);
    }

    private void ConsumeLoop(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            ConsumeResult<string, byte[]?>? result;
            try
            {
                result = _consumer.Consume(PollTimeout);
            }
            catch (ConsumeException e)
            {
                LogKafkaError("consumer", e.Error.Code, e.Error.Reason);
                continue;
            }

            if (result is null)
            {
                continue;
            }

            if (!result.IsPartitionEOF && result.Message.Key == _options.TenantId && result.Message.Value is { } value
                && result.Message.Timestamp.UnixTimestampMs >= _since.ToUnixTimeMilliseconds())
            {
                Observe(result, value);
            }

            Reached(result.TopicPartition, result.IsPartitionEOF ? long.MaxValue : result.Offset.Value + 1);
        }
    }

    private void Observe(ConsumeResult<string, byte[]?> record, byte[] value)
    {
        ICinematicEvent decoded;
        try
        {
            decoded = _readers[record.Topic](value, new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the client's to mend: the services dead-letter such records; a skill's request cannot be one of them.
            LogUndecodable(record.Topic, record.Partition.Value, record.Offset.Value, e.GetType().Name);
            return;
        }

        var identity = IdentityOf(record.Message.Headers, decoded);
        lock (_gate)
        {
            if (!_progress.TryGetValue(identity.RequestId, out var progress))
            {
                progress = new RequestProgress();
                _progress[identity.RequestId] = progress;
            }

            progress.Observe(identity, decoded);
            if (_caughtUp.Task.IsCompleted && _waiters.TryGetValue(identity.RequestId, out var waiter))
            {
                waiter.Decide(progress);
            }

            if (++_observed % 10_000 == 0)
            {
                Forget(_time.GetUtcNow() - _options.Lookback);
            }
        }
    }

    /// <summary>The request attempt a record answers: its cs-identity header where the services put one, else the event's own.</summary>
    private static RequestIdentity IdentityOf(Headers? headers, ICinematicEvent value)
    {
        if (headers is not null && headers.TryGetLastBytes(RequestIdentity.Header, out var bytes)
            && RequestIdentity.TryParse(Encoding.UTF8.GetString(bytes), out var identity) && identity.RequestId == value.RequestId)
        {
            return identity;
        }

        return value switch
        {
            TransformationRequested requested => RequestIdentity.Of(requested),
            TransformationCompleted completed => RequestIdentity.Of(completed),
            TransformationFailed failed => RequestIdentity.Of(failed.Request),
            _ => new RequestIdentity(value.RequestId, 0),
        };
    }

    /// <summary>Notes how far a partition was read; once every partition reached where it ended at start, waiters are answered.</summary>
    private void Reached(TopicPartition partition, long next)
    {
        if (_caughtUp.Task.IsCompleted)
        {
            return;
        }

        lock (_gate)
        {
            if (_catchUpTargets.TryGetValue(partition, out var target) && next >= target)
            {
                _catchUpTargets.Remove(partition);
                if (_catchUpTargets.Count == 0)
                {
                    CaughtUp();
                }
            }
        }
    }

    private void CaughtUp()
    {
        lock (_gate)
        {
            _caughtUp.TrySetResult();
            foreach (var (id, waiter) in _waiters)
            {
                if (_progress.TryGetValue(id, out var progress))
                {
                    waiter.Decide(progress);
                }
            }

            LogCaughtUp(_progress.Count);
        }
    }

    /// <summary>Whether the caller is the one to publish the request: it is not on the topic, and no other caller is publishing it.</summary>
    private bool ClaimPublish(Guid requestId, Waiter waiter)
    {
        lock (_gate)
        {
            if (waiter.Publishing || (_progress.TryGetValue(requestId, out var progress) && progress.Requested))
            {
                return false;
            }

            waiter.Publishing = true;
            return true;
        }
    }

    private Waiter Join(Guid requestId)
    {
        lock (_gate)
        {
            if (!_waiters.TryGetValue(requestId, out var waiter))
            {
                waiter = new Waiter();
                _waiters[requestId] = waiter;
                if (_caughtUp.Task.IsCompleted && _progress.TryGetValue(requestId, out var progress))
                {
                    waiter.Decide(progress);
                }
            }

            waiter.Callers++;
            return waiter;
        }
    }

    private void Leave(Guid requestId, Waiter waiter)
    {
        lock (_gate)
        {
            if (--waiter.Callers == 0)
            {
                _waiters.Remove(requestId);
            }
        }
    }

    /// <summary>Forgets decided requests last seen before <paramref name="before"/> that nobody waits for.</summary>
    private void Forget(DateTimeOffset before)
    {
        foreach (var (id, progress) in _progress.Where(p => p.Value.IsDecided && p.Value.LastSeen < before && !_waiters.ContainsKey(p.Key)).ToList())
        {
            _progress.Remove(id);
        }
    }

    private async Task PublishAsync(Guid requestId, VideoRequest request, CancellationToken cancellationToken)
    {
        // Milliseconds: the schema's timestamp-millis holds no more, and a value must read back as it was written.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        var requested = new TransformationRequested(requestId, _options.TenantId, request.CorrelationId ?? requestId.ToString(), request.Requester, now,
            request.Task, request.ReferenceImage, request.Prompt, StylePreset: null, Prompt: null, OutputCount: 1, request.AspectRatio,
            new VideoOptions(request.DurationSeconds, request.Loop, Seed: null, request.CameraMotion), Provider: null, Replay: null);
        var topic = _options.Topic(Topics.Requested);
        var value = await _requestWriter.SerializeAsync(requested, new SerializationContext(MessageComponentType.Value, topic));
        var delivered = await _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = _options.TenantId, Value = value }, cancellationToken);
        LogPublished(requestId, request.Requester, delivered.Partition.Value, delivered.Offset.Value, request.Prompt.Length);
    }

    private Func<byte[], SerializationContext, ICinematicEvent> Reader<TEvent, TRecord>()
        where TEvent : class, ICinematicEvent
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
    {
        var deserializer = EventCodec.Deserializer<TEvent, TRecord>(_registry);
        return (value, context) => deserializer.Deserialize(value, false, context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Skill client for tenant {TenantId}: reading {Partitions} partitions from {Lookback} ago")]
    private partial void LogStarted(string tenantId, int partitions, TimeSpan lookback);

    [LoggerMessage(Level = LogLevel.Information, Message = "Skill client caught up: {Requests} requests of the tenant known")]
    private partial void LogCaughtUp(int requests);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Request {RequestId} published by {Requester} to partition {Partition} at offset {Offset} (prompt of {PromptLength} characters)")]
    private partial void LogPublished(Guid requestId, string requester, int partition, long offset, int promptLength);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} was already published: waiting for its outcome")]
    private partial void LogResumed(Guid requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an undecodable record of {Topic} [{Partition}] at offset {Offset}: {ErrorType}")]
    private partial void LogUndecodable(string topic, int partition, long offset, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client} error {Code}: {Reason}")]
    private partial void LogKafkaError(string client, Confluent.Kafka.ErrorCode code, string reason);

    /// <summary>Everyone waiting for one request, and whether one of them is publishing it (both guarded by the client's gate).</summary>
    private sealed class Waiter
    {
        private readonly TaskCompletionSource<SkillVideo> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Callers { get; set; }

        public bool Publishing { get; set; }

        public Task<SkillVideo> Outcome => _outcome.Task;

        public void Decide(RequestProgress progress)
        {
            if (progress.Failure is { } failed)
            {
                _outcome.TrySetException(new SkillVideoException(failed));
            }
            else if (progress.Video is { } video)
            {
                _outcome.TrySetResult(video);
            }
        }

        public void Cancel() => _outcome.TrySetCanceled();
    }
}
