using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Execution;
using CinematicSwitch.Streaming.Processing.Output;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Processing.Intake;

/// <summary>
/// A partition's intake: its raw records in offset order through decode, prepare and dedupe, then on to the executor.
/// Poison goes to the dead-letter topic and the partition moves on. A record already decided is skipped, its missing
/// outputs relayed first when it is the very record decided (a redelivery after a takeover). A dependency that fails
/// (the registry down) is retried, the partition shown stuck meanwhile; anything else stops the intake, the partition
/// shown stuck with the reason, for the health check and an operator.
/// </summary>
internal sealed partial class RecordAdmission<TIn, TWork>
{
    private readonly RecordDecoder<TIn> _decoder;
    private readonly IStreamHandler<TIn, TWork> _handler;
    private readonly RecordExecutor<TIn, TWork> _executor;
    private readonly DecisionPublisher _decisions;
    private readonly OutputRelay _relay;
    private readonly string _deadLetterTopic;
    private readonly string _group;
    private readonly StreamMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PartitionRetry _dependencies;
    private readonly PartitionRetry _publishing;

    public RecordAdmission(RecordDecoder<TIn> decoder, IStreamHandler<TIn, TWork> handler, RecordExecutor<TIn, TWork> executor,
        DecisionPublisher decisions, OutputRelay relay, string deadLetterTopic, StreamProcessorOptions options, StreamMetrics metrics, TimeProvider time,
        ILogger logger)
    {
        _decoder = decoder;
        _handler = handler;
        _executor = executor;
        _decisions = decisions;
        _relay = relay;
        _deadLetterTopic = deadLetterTopic;
        _group = options.GroupId;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _dependencies = PartitionRetry.ForDependencies(options, metrics, time, logger);
        _publishing = PartitionRetry.ForDecisions(options, metrics, time, logger);
    }

    /// <summary>Admits the partition's records until it is released; never throws.</summary>
    public async Task RunAsync(PartitionOwner owner)
    {
        var token = owner.HandoverToken;
        try
        {
            var ledger = await owner.Ledger;
            await foreach (var record in owner.Intake.Reader.ReadAllAsync(token))
            {
                await AdmitAsync(owner, ledger, record, token);
            }
        }
        catch (Exception e) when (HandOver.Is(e, token) || owner.Released)
        {
        }
        catch (Exception e)
        {
            owner.StuckReason = $"its intake stopped: {e.GetType().Name}: {e.Message}";
            _metrics.PartitionStuck(owner.Number);
            LogIntakeStopped(e, owner.Partition.ToString());
        }
    }

    private async Task AdmitAsync(PartitionOwner owner, PartitionLedger ledger, ConsumeResult<byte[]?, byte[]?> raw, CancellationToken token)
    {
        TIn value;
        PreparedRecord<TWork> prepared;
        try
        {
            value = await _dependencies.ExecuteAsync(owner, "decoding", _ => new ValueTask<TIn>(_decoder.DecodeAsync(raw)), token);
        }
        catch (PoisonRecordException e)
        {
            await DeadLetterAsync(owner, ledger, raw, "undecodable", e, token);
            return;
        }

        try
        {
            prepared = _handler.Prepare(value, raw.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null);
        }
        catch (PoisonRecordException e)
        {
            await DeadLetterAsync(owner, ledger, raw, "invalid", e, token);
            return;
        }

        var identity = prepared.Identity;
        var (seen, decision) = Seen(owner, ledger, raw, identity);
        if (seen == Sighting.Redelivered)
        {
            // The very record decided before a takeover: its outputs go out (those missing) before it counts as done.
            using var activity = Process(raw);
            await _publishing.ExecuteAsync(owner, "publishing a recovered decision's outputs", async ct => await _relay.RelayAsync(owner, ledger, decision!, ct), token);
        }

        if (seen != Sighting.New)
        {
            _metrics.Duplicate();
            Finish(owner, raw.Offset.Value);
            return;
        }

        var record = new AdmittedRecord<TWork>(owner, ledger, raw, prepared);
        lock (owner.Gate)
        {
            if (owner.Released)
            {
                return;
            }

            if (!owner.Unfinished.Add(identity))
            {
                // A copy of a record still running has no decision to recognise it by yet.
                _metrics.Duplicate();
                owner.Offsets.Finished(raw.Offset.Value);
                return;
            }

            owner.InFlight++;
        }

        _ = RunAsync(record);
    }

    private async Task RunAsync(AdmittedRecord<TWork> record)
    {
        var decided = await _executor.RunAsync(record);
        var owner = record.Owner;
        lock (owner.Gate)
        {
            owner.InFlight--;
            owner.Unfinished.Remove(record.Identity);
            if (decided)
            {
                // Also during a revocation's drain: a decided record is this owner's to commit.
                owner.Offsets.Finished(record.Offset);
            }
        }
    }

    private enum Sighting
    {
        /// <summary>Not seen before (or an operator's replay of a dead letter): it runs.</summary>
        New,

        /// <summary>The very record decided before (a redelivery): its missing outputs are relayed, then it is done.</summary>
        Redelivered,

        /// <summary>Its identity was decided at another offset, or is being worked on from an earlier one: skipped.</summary>
        Duplicate,
    }

    /// <summary>
    /// How this record relates to what the ledger knows of its identity. An identity decided at another offset is an
    /// upstream duplicate; decided at this offset, a redelivery. Work in progress from an earlier offset finishes when that
    /// record is redelivered. A dead-lettered identity that an operator sent back (ops-replayed-from) runs again.
    /// </summary>
    private (Sighting Sighting, ChangelogEntry? Decision) Seen(PartitionOwner owner, PartitionLedger ledger, ConsumeResult<byte[]?, byte[]?> raw,
        string identity)
    {
        var offset = raw.Offset.Value;
        switch (ledger.Entry(identity))
        {
            case null:
                return (Sighting.New, null);
            case { Kind: EntryKind.Decision, DeadLettered: true } deadLetter when offset > deadLetter.InputOffset
                && StreamHeaders.Text(raw.Message.Headers, StreamHeaders.ReplayedFrom) is not null:
                LogReplayed(owner.Partition.ToString(), offset, identity, deadLetter.InputOffset);
                return (Sighting.New, null);
            case { Kind: EntryKind.Decision } decision:
                return (decision.InputOffset == offset ? Sighting.Redelivered : Sighting.Duplicate, decision);
            case var journal:
                return (journal.InputOffset == offset ? Sighting.New : Sighting.Duplicate, null);
        }
    }

    private async Task DeadLetterAsync(PartitionOwner owner, PartitionLedger ledger, ConsumeResult<byte[]?, byte[]?> raw, string reason,
        PoisonRecordException poison, CancellationToken token)
    {
        using var activity = Process(raw);
        var identity = DeadLetters.IdentityOf(raw.TopicPartitionOffset);
        if (ledger.Entry(identity) is { Kind: EntryKind.Decision } decided)
        {
            // Dead-lettered before a takeover: its letter goes out again if it was missing, and it is not counted twice.
            await _publishing.ExecuteAsync(owner, "publishing a recovered dead letter", async ct => await _relay.RelayAsync(owner, ledger, decided, ct), token);
        }
        else
        {
            LogPoison(raw.TopicPartitionOffset.ToString(), reason, poison.Message);
            var letter = DeadLetters.Build(_deadLetterTopic, raw, identity, ledger.Epoch, reason, poison, attempts: 1, _time.GetUtcNow());
            await _publishing.ExecuteAsync(owner, "dead-lettering", async ct =>
                await _decisions.DecideAsync(owner, ledger, identity, raw.Offset.Value, [letter], payload: null, deadLettered: true, ct), token);
            _metrics.DeadLettered(reason);
        }

        Finish(owner, raw.Offset.Value);
    }

    /// <summary>The span of settling a record here (a dead letter, a recovered decision relayed): what it publishes is its child.</summary>
    private System.Diagnostics.Activity? Process(ConsumeResult<byte[]?, byte[]?> raw) =>
        KafkaTracing.StartProcess(_group, raw.TopicPartitionOffset, raw.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : null,
            raw.Message.Headers);

    private static void Finish(PartitionOwner owner, long offset)
    {
        lock (owner.Gate)
        {
            owner.Offsets.Finished(offset);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Partition}: its intake stopped; its records stay uncommitted until it is reassigned")]
    private partial void LogIntakeStopped(Exception error, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source}: {Kind} ({Reason}); dead-lettered")]
    private partial void LogPoison(string source, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition}@{Offset}: {Identity} was dead-lettered at {DeadLettered} and is replayed")]
    private partial void LogReplayed(string partition, long offset, string identity, long deadLettered);
}
