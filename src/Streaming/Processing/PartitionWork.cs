using System.Threading.Channels;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// One owned partition: its offsets, its recovery state, the ordered intake that decodes its records, and
/// the token that hands its unfinished work over when the partition goes to another owner.
/// Counters are guarded by the processor's lock.
/// </summary>
internal sealed class PartitionWork(TopicPartition partition) : IDisposable
{
    private readonly CancellationTokenSource _handover = new();

    public TopicPartition Partition { get; } = partition;

    public OffsetTracker Offsets { get; } = new();

    /// <summary>Raw records in offset order, decoded and admitted one by one (this keeps per-key order).</summary>
    public Channel<ConsumeResult<byte[]?, byte[]?>> Intake { get; } = Channel.CreateUnbounded<ConsumeResult<byte[]?, byte[]?>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Set once the partition's recovery state is loaded.</summary>
    public PartitionRecovery? Recovery { get; set; }

    public Task IntakeLoop { get; set; } = Task.CompletedTask;

    /// <summary>Records of this partition being worked on right now.</summary>
    public int InFlight { get; set; }

    /// <summary>Identities admitted and not finished yet: a copy of one arriving meanwhile is a duplicate.</summary>
    public HashSet<string> Unfinished { get; } = new(StringComparer.Ordinal);

    public bool Paused { get; set; }

    /// <summary>Revoked or lost: nothing new starts, finished work no longer counts.</summary>
    public bool Released { get; set; }

    /// <summary>Cancelled when the partition is released with work still running.</summary>
    public CancellationToken HandoverToken => _handover.Token;

    public void HandOver() => _handover.Cancel();

    public void Dispose() => _handover.Dispose();
}

/// <summary>A decoded record waiting for, or holding, a place to run.</summary>
internal sealed record WorkItem<TValue>(PartitionWork Work, StreamRecord<TValue> Record, byte[]? RawValue, string Identity, string Lane, StateEntry? Entry);
