using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Ops.Kafka;

/// <summary>
/// The headers this tool puts on what it replays, so that a replay says where it came from and is never repeated
/// by accident: a later run finds them in the topic it replayed to.
/// </summary>
internal static class ReplayHeaders
{
    /// <summary>"topic/partition/offset" of the failed event or dead letter a record replays.</summary>
    public const string ReplayedFrom = StreamHeaders.ReplayedFrom;

    public const string ReplayedBy = "ops-replayed-by";

    /// <summary>Unix time in milliseconds.</summary>
    public const string ReplayedAt = "ops-replayed-at";

    /// <summary>The <see cref="Contracts.Events.RequestIdentity"/> of a request published as a new attempt (its replay count raised).</summary>
    public const string ReplayIdentity = "ops-replay-identity";

    /// <summary>How many times these bytes went from a dead-letter topic back to their source (the processor copies a
    /// record's headers into its dead letter, so the count survives a round trip).</summary>
    public const string DeadLetterReplays = "ops-dlq-replays";

    public const string Prefix = "ops-";
}
