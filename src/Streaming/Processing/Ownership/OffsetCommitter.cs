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
/// rebalance work waits for the first commit of the new generation instead.
/// </summary>
internal sealed partial class OffsetCommitter(TimeProvider time, StreamMetrics metrics, ILogger logger)
{
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Commit refused ({Code}: {Reason}): this member's leases are not renewed")]
    private partial void LogNotRenewed(string code, string reason);
}
