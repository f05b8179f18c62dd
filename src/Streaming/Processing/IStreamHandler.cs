using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The business of a stream processor: decode a record, name its identity and lane, and turn it into output
/// records. The runtime around it provides ordering per key, parallelism across keys, durable per-record
/// state, dead-lettering and exactly-once publication of the outputs.
/// </summary>
public interface IStreamHandler<TValue>
{
    /// <summary>Decodes a record's value. Throwing sends the record's original bytes to the dead-letter topic.</summary>
    ValueTask<TValue> DecodeAsync(ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken);

    /// <summary>
    /// The record's identity for exactly-once: a redelivered record, or the same request published twice,
    /// has the same identity and is processed once.
    /// </summary>
    string IdentityOf(TValue value);

    /// <summary>The lane the record's work runs in (e.g. its provider), for per-lane concurrency caps.</summary>
    string LaneOf(TValue value);

    /// <summary>
    /// Does the work and returns what to publish. Runs with the record's durable state, which a previous
    /// owner may have left (resume from it rather than redo paid work). Cancellation means the record is
    /// handed over to another owner: stop, but do not undo external work.
    /// </summary>
    Task<IReadOnlyList<OutputRecord>> HandleAsync(StreamRecord<TValue> record, IRecordState state, CancellationToken cancellationToken);
}

/// <summary>A decoded record with where it came from.</summary>
public sealed record StreamRecord<TValue>(TValue Value, string? Key, TopicPartitionOffset Source, DateTimeOffset Timestamp, Headers Headers);

/// <summary>
/// One record to publish, keyed like its input record (so it lands where recovery looks for it).
/// <see cref="Name"/> distinguishes a record's several outputs (e.g. "archived", "credits"), so that after
/// a crash only the ones not yet published are published.
/// </summary>
public sealed record OutputRecord(string Name, string Topic, byte[] Value, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A record's durable state (in the processor's changelog), for resuming long or paid work.</summary>
public interface IRecordState
{
    /// <summary>What was last saved for this record, by this or a previous owner; null on first processing.</summary>
    byte[]? Payload { get; }

    /// <summary>Saves <paramref name="payload"/> durably (acknowledged by all in-sync replicas) before returning.</summary>
    Task SaveAsync(byte[] payload, CancellationToken cancellationToken);
}
