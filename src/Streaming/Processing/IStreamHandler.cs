using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The business of a stream processor, on typed records: prepare a decoded record (its identity, its lane, the work it
/// asks for) and turn it into typed outputs. The runtime around it decodes and encodes, skips what was already
/// processed, orders records per key and runs keys in parallel, keeps the record's state durable, fences zombies,
/// dead-letters what cannot be processed and publishes each decision's outputs exactly once.
/// </summary>
/// <typeparam name="TIn">The input topic's event.</typeparam>
/// <typeparam name="TWork">What <see cref="Prepare"/> makes of it (validated, mapped, planned), for <see cref="HandleAsync"/>.</typeparam>
public interface IStreamHandler<TIn, TWork>
{
    /// <summary>
    /// Validates and plans a decoded record, once. Throws <see cref="PoisonRecordException"/> for a record that can never
    /// be processed (it goes to the dead-letter topic with the reason); a record the business answers with a failure event
    /// is not poison.
    /// </summary>
    PreparedRecord<TWork> Prepare(TIn value, string? key);

    /// <summary>
    /// Does the work and returns the events to publish (each type mapped to its topic when the stream is registered). Runs
    /// with the record's durable state, which a previous owner may have left: resume from it rather than redo paid work.
    /// Cancellation means the record is handed over to another owner: stop, but do not undo external work.
    /// </summary>
    Task<IReadOnlyList<object>> HandleAsync(StreamRecord<TWork> record, IRecordState state, CancellationToken cancellationToken);
}

/// <param name="Identity">Exactly-once is per identity: a redelivered record, or the same event published twice, has the same one.</param>
/// <param name="Lane">Where the record's work runs, for per-lane caps (e.g. its provider).</param>
public readonly record struct PreparedRecord<TWork>(string Identity, string Lane, TWork Work);

/// <summary>A prepared record with where it came from.</summary>
public sealed record StreamRecord<TWork>(TWork Work, string Identity, string? Key, TopicPartitionOffset Source, DateTimeOffset Timestamp, Headers Headers);

/// <summary>A record's durable state (in the processor's changelog), for resuming long or paid work.</summary>
public interface IRecordState
{
    /// <summary>What was last saved for this record, by this or a previous owner; null on first processing.</summary>
    byte[]? Payload { get; }

    /// <summary>
    /// Saves <paramref name="payload"/> durably (acknowledged by all in-sync replicas) and returns only while this member
    /// still owns the record (throws <see cref="OperationCanceledException"/> once it does not), so that what follows the
    /// save, a paid call for instance, is never done by a member that lost the record meanwhile.
    /// </summary>
    Task SaveAsync(byte[] payload, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps <paramref name="payload"/> as the record's state without a write of its own: it is written with the record's
    /// decision. For state that only matters if the record is redone (e.g. a finished provider job's outputs).
    /// </summary>
    void Keep(byte[] payload);

    /// <summary>
    /// Returns while this member still owns the record; throws <see cref="OperationCanceledException"/> once it does not.
    /// Awaited right before what must not be done twice (a paid call), after every wait that precedes it.
    /// </summary>
    ValueTask EnsureOwnedAsync(CancellationToken cancellationToken);
}

/// <summary>A record that can never be processed: it goes to the dead-letter topic at once, with this message as its reason.</summary>
public sealed class PoisonRecordException : Exception
{
    public PoisonRecordException()
    {
    }

    public PoisonRecordException(string message)
        : base(message)
    {
    }

    public PoisonRecordException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
