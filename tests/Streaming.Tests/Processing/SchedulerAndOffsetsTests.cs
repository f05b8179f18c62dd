using CinematicSwitch.Streaming.Processing.Execution;
using CinematicSwitch.Streaming.Processing.Ownership;

namespace CinematicSwitch.Streaming.Tests.Processing;

public sealed class OffsetTrackerTests
{
    [Fact]
    public void Only_the_contiguous_prefix_of_finished_offsets_is_committed_and_an_unchanged_position_is_committed_again()
    {
        var tracker = new OffsetTracker(startOffset: 10);
        Assert.Equal(10, tracker.Position);
        foreach (var offset in new long[] { 10, 11, 12, 13 })
        {
            Assert.True(tracker.Received(offset));
        }

        tracker.Finished(12);
        tracker.Finished(13);
        Assert.Equal(10, tracker.Position);
        tracker.Finished(10);
        Assert.Equal(11, tracker.Position);
        tracker.Finished(11);
        Assert.Equal(14, tracker.Position);
        Assert.Equal(0, tracker.Pending);
    }

    [Fact]
    public void An_offset_seen_again_is_not_tracked_twice()
    {
        var tracker = new OffsetTracker(startOffset: 0);
        Assert.True(tracker.Received(5));
        Assert.False(tracker.Received(5));
        Assert.False(tracker.Received(3));
        Assert.Equal(1, tracker.Pending);
    }
}

public sealed class KeyedSchedulerTests
{
    private static readonly Dictionary<string, int> NoLaneLimits = [];

    [Fact]
    public async Task A_key_runs_one_at_a_time_in_order_while_other_keys_run_in_parallel()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 10, maxPerKey: 1, NoLaneLimits);
        var a1 = scheduler.WaitTurnAsync("a", "lane", "a1", CancellationToken.None);
        var a2 = scheduler.WaitTurnAsync("a", "lane", "a2", CancellationToken.None);
        var b1 = scheduler.WaitTurnAsync("b", "lane", "b1", CancellationToken.None);

        await Task.WhenAll(a1, b1);
        Assert.False(a2.IsCompleted);
        scheduler.Completed("a", "lane");
        await a2;
        Assert.Equal(2, scheduler.Running);
    }

    [Fact]
    public async Task Global_and_lane_caps_hold_and_keys_take_turns()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 3, maxPerKey: 2, new Dictionary<string, int> { ["video"] = 1 });
        var turns = new[] { ("a", "image", "a1"), ("a", "image", "a2"), ("a", "image", "a3"), ("b", "video", "b1"), ("c", "video", "c1"), ("d", "image", "d1") }
            .ToDictionary(t => t.Item3, t => scheduler.WaitTurnAsync(t.Item1, t.Item2, t.Item3, CancellationToken.None));

        // a1 and a2 (a may run two), b1 (the video lane's one place), then the global cap of 3 stops it.
        Assert.Equal(["a1", "a2", "b1"], await GrantedAsync(turns, 3));
        scheduler.Completed("b", "video");
        Assert.Equal(["a1", "a2", "b1", "c1"], await GrantedAsync(turns, 4));
        scheduler.Completed("a", "image");
        // Keys take turns: d, waiting longer than a's third record, goes first.
        Assert.Equal(["a1", "a2", "b1", "c1", "d1"], await GrantedAsync(turns, 5));
    }

    [Fact]
    public async Task A_paused_record_keeps_its_key_but_gives_its_place_to_another_key_and_comes_back_first()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 1, maxPerKey: 1, NoLaneLimits);
        await scheduler.WaitTurnAsync("a", "l", "a1", CancellationToken.None);
        var a2 = scheduler.WaitTurnAsync("a", "l", "a2", CancellationToken.None);
        var b1 = scheduler.WaitTurnAsync("b", "l", "b1", CancellationToken.None);

        scheduler.Pause("a", "l", "a1");
        await b1;
        Assert.False(a2.IsCompleted);
        var a1Again = scheduler.WaitTurnAsync("a", "l", "a1", CancellationToken.None);
        scheduler.Completed("b", "l");
        await a1Again;
        Assert.False(a2.IsCompleted);
        scheduler.Completed("a", "l");
        await a2;
    }

    [Fact]
    public async Task Withdrawn_and_cancelled_waiters_leave_the_line_and_running_ones_alone()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 1, maxPerKey: 1, NoLaneLimits);
        await scheduler.WaitTurnAsync("a", "l", "p0-a1", CancellationToken.None);
        var a2 = scheduler.WaitTurnAsync("a", "l", "p0-a2", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var c1 = scheduler.WaitTurnAsync("c", "l", "p1-c1", cancel.Token);
        var b1 = scheduler.WaitTurnAsync("b", "l", "p1-b1", CancellationToken.None);

        scheduler.Withdraw(item => item.StartsWith("p0", StringComparison.Ordinal));
        await Assert.ThrowsAsync<RecordWithdrawnException>(() => a2);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => c1);
        Assert.False(b1.IsCompleted);
        scheduler.Completed("a", "l");
        await b1;
        Assert.Equal(1, scheduler.Running);
    }

    /// <summary>The records granted a turn, once <paramref name="count"/> are (a turn's waiter resumes on the thread pool).</summary>
    private static async Task<List<string>> GrantedAsync(Dictionary<string, Task> turns, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (turns.Count(t => t.Value.IsCompletedSuccessfully) < count && !timeout.IsCancellationRequested)
        {
            await Task.Delay(5);
        }

        return [.. turns.Where(t => t.Value.IsCompletedSuccessfully).Select(t => t.Key).Order(StringComparer.Ordinal)];
    }
}
