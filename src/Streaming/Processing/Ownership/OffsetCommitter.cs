using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// Commits, for each owned partition, the offset after its contiguous prefix of finished records, unchanged offsets
/// included: each commit the coordinator accepts, or answers as from a known member of the group, proves this member's
/// session alive when it was sent, and renews the leases of every partition it owns. A commit refused as from an unknown
/// member renews nothing: the partitions are being handed over.
/// </summary>
internal sealed partial class OffsetCommitter(TimeProvider time, StreamMetrics metrics, ILogger logger)
{
    /// <summary>Codes with which the coordinator answers a member it still knows (during a rebalance, or of an older generation).</summary>
    private static readonly HashSet<ErrorCode> KnownMember = [ErrorCode.RebalanceInProgress, ErrorCode.IllegalGeneration, ErrorCode.StaleMemberEpoch];

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

            Renew(owners, sentAt);
        }
        catch (KafkaException e) when (KnownMember.Contains(e.Error.Code))
        {
            Renew(owners, sentAt);
            LogDeferred(e.Error.Reason);
        }
        catch (KafkaException e)
        {
            metrics.LeaseNotRenewed();
            LogNotRenewed(e.Error.Code.ToString(), e.Error.Reason);
        }
    }

    private static void Renew(IEnumerable<PartitionOwner> owners, long confirmedAt)
    {
        foreach (var owner in owners)
        {
            owner.Lease.Renew(confirmedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Commit deferred ({Reason}); the membership it answered for still counts")]
    private partial void LogDeferred(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit refused ({Code}: {Reason}): this member's leases are not renewed")]
    private partial void LogNotRenewed(string code, string reason);
}
