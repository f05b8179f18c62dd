using System.Text;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>Headers the stream runtime puts on what it publishes.</summary>
public static class StreamHeaders
{
    /// <summary>
    /// The identity of the input record an output answers. Consumers honour exactly-once by it: a second record with the
    /// same identity on a topic is a byte-identical copy of the first (a new owner relaying a decision its fenced
    /// predecessor made) and is ignored.
    /// </summary>
    public const string Identity = "cs-identity";

    /// <summary>Which of its decision's outputs this record is (0, 1, ...), for read-back after a takeover.</summary>
    public const string Output = "cs-output";

    /// <summary>topic/partition/offset of the input record.</summary>
    public const string Source = "cs-source";

    /// <summary>"partition:epoch" of the input partition's owner that decided this output.</summary>
    public const string Epoch = "cs-epoch";

    public const string DeadLetterReason = "dlq-reason";
    public const string DeadLetterErrorType = "dlq-error-type";
    public const string DeadLetterOriginalTopic = "dlq-original-topic";
    public const string DeadLetterOriginalPartition = "dlq-original-partition";
    public const string DeadLetterOriginalOffset = "dlq-original-offset";
    public const string DeadLetterOriginalTimestamp = "dlq-original-timestamp";
    public const string DeadLetterFailedAt = "dlq-failed-at";
    public const string DeadLetterAttempts = "dlq-attempts";

    /// <summary>
    /// "topic/partition/offset" of the dead letter (or failed event) an operator's tool sent back. A record carrying it
    /// whose identity was dead-lettered is processed again instead of being skipped as a duplicate.
    /// </summary>
    public const string ReplayedFrom = "ops-replayed-from";

    /// <summary>The last value of a header as UTF-8 text, or null.</summary>
    public static string? Text(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;
}
