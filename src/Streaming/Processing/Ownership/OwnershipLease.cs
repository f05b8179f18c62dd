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
/// </summary>
internal sealed class OwnershipLease(TimeProvider time, TimeSpan duration)
{
    /// <summary>Covers the time a commit takes to reach the coordinator and the clocks' and schedulers' slack.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);
    private readonly Lock _gate = new();
    private long _validUntil = time.GetTimestamp() + Ticks(time, duration);
    private bool _ended;
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>The session timeout less one heartbeat interval and a margin: README, "Exactly once".</summary>
    public static TimeSpan DurationFor(KafkaOptions kafka) => TimeSpan.FromMilliseconds(kafka.SessionTimeoutMs) - kafka.HeartbeatInterval() - Margin;

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
