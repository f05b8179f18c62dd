using CinematicSwitch.Streaming.Processing.Ownership;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>The lease that fences a paused member, on a fake clock.</summary>
public sealed class OwnershipLeaseTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_lease_holds_for_its_duration_and_one_that_ran_out_lapses_at_the_next_renewal_instead_of_reviving()
    {
        var lease = new OwnershipLease(_time, TimeSpan.FromSeconds(4));
        await lease.EnsureAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(lease.IsValid);
        var waiting = lease.EnsureAsync(CancellationToken.None).AsTask();
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);

        // A commit sent after the lease ran out proves membership now, not through the gap in which another member may
        // have claimed the partition.
        lease.Renew(_time.GetTimestamp());
        await Assert.ThrowsAsync<OwnershipLostException>(() => waiting);
        Assert.True(lease.Lapsed);
        Assert.False(lease.IsValid);
    }

    [Fact]
    public async Task A_lease_for_a_partition_taken_over_again_holds_only_once_a_commit_sent_after_it_was_made_confirms_it()
    {
        var sentBefore = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(1));
        var lease = new OwnershipLease(_time, TimeSpan.FromSeconds(4), confirmed: false);
        Assert.False(lease.IsValid);
        var waiting = lease.EnsureAsync(CancellationToken.None).AsTask();

        lease.Renew(sentBefore);
        await Task.Delay(20);
        Assert.False(waiting.IsCompleted);

        lease.Renew(_time.GetTimestamp());
        await waiting;
        Assert.True(lease.IsValid);
        Assert.False(lease.Lapsed);
    }

    [Fact]
    public async Task A_renewal_counts_from_when_the_commit_was_sent_and_an_ended_lease_stops_its_waiters()
    {
        var lease = new OwnershipLease(_time, TimeSpan.FromSeconds(4));
        var sent = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromSeconds(3));
        lease.Renew(sent);
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(lease.IsValid);

        var waiting = lease.EnsureAsync(CancellationToken.None).AsTask();
        lease.End();
        await Assert.ThrowsAsync<OwnershipLostException>(() => waiting);
        lease.Renew(_time.GetTimestamp());
        Assert.False(lease.IsValid);
    }
}
