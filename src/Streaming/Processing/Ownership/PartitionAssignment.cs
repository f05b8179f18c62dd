using System.Collections.Concurrent;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Execution;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Polly;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// The partitions this member owns, through rebalances. Assigned: an owner per partition, which takes the partition over
/// (claim, changelog, read-back) and then admits its records. Revoked: nothing new starts, the work in hand gets
/// <see cref="StreamProcessorOptions.RevokeDrainTimeout"/> to finish (while its leases last), then is handed over, and
/// what finished is committed. Lost (the session expired): handed over at once, nothing committed. Lapsed (the lease ran
/// out before a commit renewed it): handed over at once and taken over again.
/// </summary>
internal sealed partial class PartitionAssignment<TWork>(
    ChangelogRecovery recovery,
    Func<PartitionOwner, Task> admit,
    KeyedScheduler<AdmittedRecord<TWork>> scheduler,
    OffsetCommitter committer,
    StreamProcessorOptions options,
    TimeSpan leaseDuration,
    StreamMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<TopicPartition, PartitionOwner> _owners = new();
    private readonly ResiliencePipeline _recoveryRetry = StreamRetry.Pipeline(options, time, (_, _) => true);

    public IReadOnlyCollection<PartitionOwner> Owners => [.. _owners.Values];

    public PartitionOwner? Owner(TopicPartition partition) => _owners.GetValueOrDefault(partition);

    public int InFlight => _owners.Values.Sum(o => o.InFlight);

    public void Assigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        metrics.Rebalanced("assigned", partitions.Count);
        LogAssigned(string.Join(", ", partitions.Select(p => p.Partition.Value)));
        committer.GenerationJoined();
        foreach (var (partition, start) in StartOffsets(consumer, partitions))
        {
            // The client fetches from the committed offset by itself, and the lease holds from now: it was just handed the partition.
            Own(consumer, partition, start, confirmed: true, paused: false);
        }
    }

    /// <summary>
    /// Partitions whose lease ran out before a commit renewed it (<see cref="OwnershipLease.Lapsed"/>): another member may
    /// have claimed them in the gap, so their work in hand is handed over and they are taken over again from the committed
    /// offset (changelog read, new claim) once a commit sent from now on confirms this member's generation.
    /// </summary>
    public void TakeOverLapsed(IConsumer<byte[]?, byte[]?> consumer)
    {
        var lapsed = _owners.Values.Where(o => o.Lease.Lapsed && !o.Released).ToList();
        if (lapsed.Count == 0)
        {
            return;
        }

        Dictionary<TopicPartition, long> starts;
        try
        {
            starts = StartOffsets(consumer, [.. lapsed.Select(o => o.Partition)]);
            foreach (var (partition, start) in starts)
            {
                consumer.Seek(new TopicPartitionOffset(partition, start));
            }
        }
        catch (KafkaException e)
        {
            // Not assigned any more (a rebalance callback is on its way) or the coordinator is out of reach: tried again
            // at the next commit. The lapsed lease keeps the old owner from doing anything meanwhile.
            LogRetakeFailed(string.Join(", ", lapsed.Select(o => o.Number)), e.Error.Reason);
            return;
        }

        foreach (var owner in HandOverAtOnce("lapsed", "Lease lapsed on", [.. lapsed.Select(o => o.Partition)]))
        {
            Own(consumer, owner.Partition, starts[owner.Partition], confirmed: false, paused: owner.Paused);
        }
    }

    /// <summary>Where reading starts: the committed offset, or (auto.offset.reset=earliest) the log's start.</summary>
    private static Dictionary<TopicPartition, long> StartOffsets(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var committed = consumer.Committed(partitions, RequestTimeout).ToDictionary(c => c.TopicPartition, c => c.Offset);
        return partitions.ToDictionary(p => p, p => committed.GetValueOrDefault(p, Offset.Unset) is { IsSpecial: false } offset
            ? offset.Value
            : consumer.QueryWatermarkOffsets(p, RequestTimeout).Low.Value);
    }

    /// <param name="confirmed">Whether the lease holds from now or waits for a commit sent from now on (<see cref="OwnershipLease"/>).</param>
    /// <param name="paused">Whether the consumer has the partition paused (back-pressure): it stays so until flow control resumes it.</param>
    private void Own(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long start, bool confirmed, bool paused)
    {
        var owner = new PartitionOwner(partition, new OwnershipLease(time, leaseDuration, confirmed), start) { Paused = paused };
        _owners[partition] = owner;
        owner.IntakeLoop = Task.Run(() => TakeOverAsync(owner, consumer.MemberId));
    }

    public void Revoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        metrics.Rebalanced("revoked", partitions.Count);
        LogReleased("Revoked", string.Join(", ", partitions.Select(p => p.Partition.Value)));
        var released = Release(partitions);
        // The work in hand may finish while its leases last: a commit answered "rebalance in progress" renews nothing (not
        // even here: a client expelled during a coordinator outage was seen to be told "revoked" about partitions another
        // member already owned), so the leases lapse a session after the last accepted commit and the rest is handed over.
        var deadline = time.GetTimestamp();
        while (released.Any(o => o.InFlight > 0) && time.GetElapsedTime(deadline) < options.RevokeDrainTimeout)
        {
            committer.Commit(consumer, Owners);
            Thread.Sleep(options.CommitInterval);
        }

        if (released.Any(o => o.InFlight > 0))
        {
            LogHandingOver(released.Sum(o => o.InFlight), string.Join(", ", released.Select(o => o.Number)));
        }

        foreach (var owner in released)
        {
            owner.HandOver();
        }

        SpinWait.SpinUntil(() => released.All(o => o.InFlight == 0), TimeSpan.FromSeconds(5));
        committer.Commit(consumer, released);
        Remove(released);
    }

    public void Lost(List<TopicPartition> partitions) => HandOverAtOnce("lost", "Lost", partitions);

    /// <summary>Stopping: every owner hands its unfinished work over.</summary>
    public void HandOverAll()
    {
        foreach (var owner in _owners.Values)
        {
            owner.HandOver();
        }
    }

    /// <summary>Lost or lapsed: the partitions' work in hand is stopped at once and their owners removed; returns them.</summary>
    private List<PartitionOwner> HandOverAtOnce(string metric, string kind, List<TopicPartition> partitions)
    {
        metrics.Rebalanced(metric, partitions.Count);
        LogReleased(kind, string.Join(", ", partitions.Select(p => p.Partition.Value)));
        var released = Release(partitions);
        foreach (var owner in released)
        {
            owner.HandOver();
        }

        Remove(released);
        return released;
    }

    private List<PartitionOwner> Release(List<TopicPartition> partitions)
    {
        var released = partitions.Select(p => _owners.GetValueOrDefault(p)).OfType<PartitionOwner>().ToList();
        foreach (var owner in released)
        {
            owner.Release();
        }

        var set = released.ToHashSet();
        scheduler.Withdraw(record => set.Contains(record.Owner));
        return released;
    }

    private void Remove(List<PartitionOwner> owners)
    {
        foreach (var owner in owners)
        {
            _owners.TryRemove(owner.Partition, out _);
            owner.Dispose();
        }
    }

    private async Task TakeOverAsync(PartitionOwner owner, string member)
    {
        var token = owner.HandoverToken;
        try
        {
            var ledger = await _recoveryRetry.ExecuteAsync(async ct =>
            {
                try
                {
                    return await recovery.TakeOverAsync(owner.Number, owner.Offsets.LastCommitted, member, owner.Lease, ct);
                }
                catch (Exception e) when (!HandOver.Is(e, ct))
                {
                    owner.StuckReason = $"taking it over failed ({e.GetType().Name}: {e.Message}); retrying";
                    LogRecoveryFailed(owner.Partition.ToString(), e.GetType().Name, e.Message);
                    throw;
                }
            }, token);
            owner.StuckReason = null;
            owner.Recovered(ledger);
            LogRecovered(owner.Partition.ToString(), ledger.Epoch, ledger.Count);
        }
        catch (Exception e) when (HandOver.Is(e, token))
        {
            owner.RecoveryFailed(e);
            return;
        }

        await admit(owner);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned {Partitions}")]
    private partial void LogAssigned(string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Kind} {Partitions}")]
    private partial void LogReleased(string kind, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing over {Count} unfinished record(s) of {Partitions}")]
    private partial void LogHandingOver(int count, string partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Partition} taken over: epoch {Epoch}, {Entries} changelog entries")]
    private partial void LogRecovered(string partition, long epoch, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Taking {Partitions} over again after their leases lapsed failed ({Reason}); retrying")]
    private partial void LogRetakeFailed(string partitions, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Partition}: taking it over failed ({Error}: {Reason}); retrying")]
    private partial void LogRecoveryFailed(string partition, string error, string reason);
}
