using CinematicSwitch.Streaming.Clients;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// How long this member may still act for one partition it owns under one claim. The group coordinator gives a partition
/// to another member only once this member's session has expired, and a session lasts at least the session timeout
/// after the last heartbeat; an offset commit the coordinator accepts (or answers as a known member) proves a heartbeat
/// no older than one heartbeat interval. So the lease runs from the moment such a commit was sent for the session
/// timeout less a heartbeat interval and a margin (<see cref="StreamProcessorOptions"/>). A process that was paused
/// (SIGSTOP, a long GC, a frozen VM) comes back with its monotonic clock past the lease, and waits: its next commit
/// fails as an unknown member and the partition is handed over, so it never acts for it again.
/// A lease that ran out is never revived: in the gap another member may have owned and claimed the partition, even if the
/// client never heard of it (seen: a commit hung 60 s through a coordinator outage, a successor claimed the partitions,
/// and the next generation handed the client the same ones back). A confirmation sent after it ran out marks it
/// <see cref="Lapsed"/> instead, and the partition is taken over again under a new lease.
/// </summary>
/// <param name="confirmed">
/// Whether the lease holds from now (the client was just handed the partition) or only once a commit sent after now
/// confirms it (the partition is taken over again after a lapse).
/// </param>
internal sealed class OwnershipLease(TimeProvider time, TimeSpan duration, bool confirmed = true)
{
    /// <summary>Covers the time a commit takes to reach the coordinator and the clocks' and schedulers' slack.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);
    private readonly Lock _gate = new();
    private readonly long _madeAt = time.GetTimestamp();
    private long _validUntil = time.GetTimestamp() + (confirmed ? Ticks(time, duration) : 0);
    private bool _confirmed = confirmed;
    private bool _ended;
    private bool _lapsed;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>The session timeout less one heartbeat interval and a margin: README, "Exactly once".</summary>
    public static TimeSpan DurationFor(KafkaOptions kafka) => TimeSpan.FromMilliseconds(kafka.SessionTimeoutMs) - kafka.HeartbeatInterval() - Margin;

    /// <summary>
    /// <see cref="DurationFor"/>, refused unless it lasts three commits: a lease that runs out is not revived but its
    /// partition taken over again, so commits must renew it well within it.
    /// </summary>
    public static TimeSpan DurationRenewedEvery(TimeSpan commitInterval, KafkaOptions kafka)
    {
        var duration = DurationFor(kafka);
        return duration >= 3 * commitInterval
            ? duration
            : throw new ArgumentException($"The partitions' lease ({duration.TotalMilliseconds} ms: Kafka:SessionTimeoutMs less the heartbeat interval "
                + $"and {Margin.TotalMilliseconds} ms) must last at least three CommitIntervals ({commitInterval.TotalMilliseconds} ms).", nameof(commitInterval));
    }

    /// <summary>Ran out before a commit renewed it: ended, and the partition must be taken over again before anything is done for it.</summary>
    public bool Lapsed
    {
        get
        {
            lock (_gate)
            {
                return _lapsed;
            }
        }
    }

    public bool IsValid
    {
        get
        {
            lock (_gate)
            {
                return !_ended && time.GetTimestamp() < _validUntil;
            }
        }
    }

    /// <summary>Membership was confirmed by a commit sent at <paramref name="confirmedAt"/> (a <see cref="TimeProvider"/> timestamp).</summary>
    public void Renew(long confirmedAt)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            if (!_confirmed)
            {
                if (confirmedAt < _madeAt)
                {
                    return;
                }

                _confirmed = true;
            }
            else if (confirmedAt >= _validUntil)
            {
                _lapsed = true;
                _ended = true;
                Signal();
                return;
            }

            _validUntil = Math.Max(_validUntil, confirmedAt + Ticks(time, duration));
            Signal();
        }
    }

    /// <summary>The partition was revoked or lost: nothing more may be done under this claim.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
            Signal();
        }
    }

    /// <summary>
    /// Returns at once while the lease is valid; otherwise waits for a renewal. Throws <see cref="OwnershipLostException"/>
    /// once the lease has ended, and <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async ValueTask EnsureAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_ended)
                {
                    throw new OwnershipLostException();
                }

                if (time.GetTimestamp() < _validUntil)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void Signal()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static long Ticks(TimeProvider time, TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}

/// <summary>The partition went to another owner: the work in hand must stop without side effects.</summary>
public sealed class OwnershipLostException : OperationCanceledException
{
    public OwnershipLostException()
        : base("The partition is no longer owned by this member.")
    {
    }
}
