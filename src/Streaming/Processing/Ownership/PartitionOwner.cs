using System.Threading.Channels;
using CinematicSwitch.Streaming.Processing.Changelog;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// One input partition as this member owns it: its lease, its ledger (once recovered), the ordered intake of its raw
/// records, the offsets received and finished, and the token that hands its unfinished work over when it goes to
/// another owner. Its counters are guarded by <see cref="Gate"/>.
/// </summary>
internal sealed class PartitionOwner(TopicPartition partition, OwnershipLease lease, long startOffset) : IDisposable
{
    private readonly CancellationTokenSource _handover = new();
    private readonly TaskCompletionSource<PartitionLedger> _ledger = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TopicPartition Partition { get; } = partition;

    public int Number => Partition.Partition.Value;

    public OwnershipLease Lease { get; } = lease;

    public Lock Gate { get; } = new();

    public OffsetTracker Offsets { get; } = new(startOffset);

    /// <summary>Raw records in offset order, admitted one by one (this keeps per-key order).</summary>
    public Channel<ConsumeResult<byte[]?, byte[]?>> Intake { get; } = Channel.CreateUnbounded<ConsumeResult<byte[]?, byte[]?>>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>Completes once the partition is taken over (claimed, its changelog read).</summary>
    public Task<PartitionLedger> Ledger => _ledger.Task;

    /// <summary>The ledger, once recovered (null before).</summary>
    public PartitionLedger? RecoveredLedger => _ledger.Task.IsCompletedSuccessfully ? _ledger.Task.Result : null;

    public Task IntakeLoop { get; set; } = Task.CompletedTask;

    /// <summary>Records of this partition being worked on, from admission to their outputs being out.</summary>
    public int InFlight { get; set; }

    /// <summary>Identities admitted and not finished yet: a copy of one arriving meanwhile is a duplicate.</summary>
    public HashSet<string> Unfinished { get; } = new(StringComparer.Ordinal);

    public bool Paused { get; set; }

    /// <summary>Revoked or lost: nothing new starts.</summary>
    public bool Released { get; private set; }

    /// <summary>Why the partition does not move, while it does not (shown by the health check), or null.</summary>
    public string? StuckReason { get; set; }

    /// <summary>Cancelled when the partition goes to another owner with work still running.</summary>
    public CancellationToken HandoverToken => _handover.Token;

    public void Recovered(PartitionLedger ledger) => _ledger.TrySetResult(ledger);

    public void RecoveryFailed(Exception error) => _ledger.TrySetException(error);

    /// <summary>Nothing new starts: the intake closes. Work in hand may still finish (a revocation drains it).</summary>
    public void Release()
    {
        Released = true;
        Intake.Writer.TryComplete();
    }

    /// <summary>Stops the work in hand: the lease ends and unfinished work is cancelled, to be redone by the next owner.</summary>
    public void HandOver()
    {
        Release();
        Lease.End();
        _handover.Cancel();
        _ledger.TrySetCanceled();
    }

    public void Dispose() => _handover.Dispose();
}
