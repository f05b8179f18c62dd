using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// Commits, for each owned partition, the offset after its contiguous prefix of finished records, unchanged offsets
/// included: each commit the coordinator accepts proves this member's session alive, in the generation that gave it its
/// partitions, when it was sent, and renews the leases of every partition it owns. A commit refused for any reason renews
/// nothing, not even one answered "rebalance in progress" or "illegal generation": a member expelled while it could not
/// reach the coordinator is rejoined by the client under a new member id, and those answers then come for that new member
/// while another one already owns the partitions (seen on the embedded cluster after a coordinator outage). During a
/// rebalance work waits for the first commit of the new generation instead. And once the coordinator has said this member
/// is not in the generation it committed with, accepted commits renew nothing until the client has been handed a new
/// generation's assignment: the client then commits without a generation, and the embedded cluster accepts such a commit
/// (seen: an expelled member's revocation drain renewed its leases that way and archived a record its successor had
/// archived 40 s earlier).
/// </summary>
internal sealed partial class OffsetCommitter(TimeProvider time, StreamMetrics metrics, ILogger logger)
{
    private volatile bool _outOfGeneration;

    /// <summary>The client was handed an assignment (the rebalance callback): its commits speak for a generation again.</summary>
    public void GenerationJoined() => _outOfGeneration = false;

    public void Commit(IConsumer<byte[]?, byte[]?> consumer, IReadOnlyCollection<PartitionOwner> owners)
    {
        var offsets = new List<(PartitionOwner Owner, long Offset)>(owners.Count);
        foreach (var owner in owners)
        {
            lock (owner.Gate)
            {
                offsets.Add((owner, owner.Offsets.Position));
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        var sentAt = time.GetTimestamp();
        try
        {
            consumer.Commit(offsets.Select(o => new TopicPartitionOffset(o.Owner.Partition, o.Offset)));
            foreach (var (owner, offset) in offsets)
            {
                lock (owner.Gate)
                {
                    owner.Offsets.Committed(offset);
                }
            }

            if (_outOfGeneration)
            {
                metrics.LeaseNotRenewed();
                return;
            }

            Renew(owners, sentAt);
        }
        catch (KafkaException e)
        {
            _outOfGeneration |= NotInGeneration(e.Error.Code);
            metrics.LeaseNotRenewed();
            LogNotRenewed(e.Error.Code.ToString(), e.Error.Reason);
        }
    }

    // Answers that mean the member must rejoin (or is rejoining) before it owns anything; a timeout or a coordinator move
    // does not, and a stale KIP-848 member epoch is caught up by the next heartbeat without a new assignment.
    private static bool NotInGeneration(ErrorCode code) => code is ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId
        or ErrorCode.RebalanceInProgress or ErrorCode.FencedInstanceId or ErrorCode.FencedMemberEpoch;

    private static void Renew(IEnumerable<PartitionOwner> owners, long confirmedAt)
    {
        foreach (var owner in owners)
        {
            owner.Lease.Renew(confirmedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit refused ({Code}: {Reason}): this member's leases are not renewed")]
    private partial void LogNotRenewed(string code, string reason);
}
