namespace CinematicSwitch.Streaming.Processing;

/// <summary>Headers the stream runtime puts on what it publishes.</summary>
public static class StreamHeaders
{
    /// <summary>The identity of the input record an output answers (exactly-once recovery reads it back).</summary>
    public const string Identity = "cs-identity";

    /// <summary>Which of the input's outputs this is (e.g. "outcome", "archived", "credits").</summary>
    public const string Output = "cs-output";

    /// <summary>topic/partition/offset of the input record.</summary>
    public const string Source = "cs-source";

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

    /// <summary>Name of the dead-letter output of a record.</summary>
    public const string DeadLetterOutput = "dead-letter";
}
