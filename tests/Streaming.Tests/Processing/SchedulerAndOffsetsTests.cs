using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Streaming.Tests.Processing;

public sealed class OffsetTrackerTests
{
    [Fact]
    public void Only_the_contiguous_prefix_of_finished_offsets_is_committable()
    {
        var tracker = new OffsetTracker();
        foreach (var offset in new long[] { 10, 11, 12, 13 })
        {
            Assert.True(tracker.Received(offset));
        }

        tracker.Finished(12);
        tracker.Finished(13);
        Assert.Equal(10, tracker.Committable());
        tracker.Committed(10);
        Assert.Null(tracker.Committable());

        tracker.Finished(10);
        Assert.Equal(11, tracker.Committable());
        tracker.Finished(11);
        Assert.Equal(14, tracker.Committable());
        Assert.Equal(0, tracker.Pending);
    }

    [Fact]
    public void An_offset_seen_again_is_not_tracked_twice()
    {
        var tracker = new OffsetTracker();
        Assert.True(tracker.Received(5));
        Assert.False(tracker.Received(5));
        Assert.False(tracker.Received(3));
        Assert.Equal(1, tracker.Pending);
    }
}

public sealed class KeyedSchedulerTests
{
    [Fact]
    public void A_key_runs_one_at_a_time_in_order_while_other_keys_run_in_parallel()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 10, maxPerKey: 1, new Dictionary<string, int>());
        scheduler.Enqueue("a", "lane", "a1");
        scheduler.Enqueue("a", "lane", "a2");
        scheduler.Enqueue("b", "lane", "b1");

        Assert.Equal(["a1", "b1"], TakeAll(scheduler));
        scheduler.Completed("a", "lane");
        Assert.Equal(["a2"], TakeAll(scheduler));
        Assert.Equal(2, scheduler.InFlight);
    }

    [Fact]
    public void Global_and_lane_caps_hold_and_keys_take_turns()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 3, maxPerKey: 2, new Dictionary<string, int> { ["video"] = 1 });
        scheduler.Enqueue("a", "image", "a1");
        scheduler.Enqueue("a", "image", "a2");
        scheduler.Enqueue("a", "image", "a3");
        scheduler.Enqueue("b", "video", "b1");
        scheduler.Enqueue("c", "video", "c1");
        scheduler.Enqueue("d", "image", "d1");

        // Round robin: a, b (video lane now full), c skipped, d; then the global cap of 3 stops it.
        Assert.Equal(["a1", "b1", "d1"], TakeAll(scheduler));
        scheduler.Completed("b", "video");
        Assert.Equal(["c1"], TakeAll(scheduler));
        scheduler.Completed("d", "image");
        Assert.Equal(["a2"], TakeAll(scheduler));
        Assert.Equal(1, scheduler.Queued);
    }

    [Fact]
    public void Removing_queued_items_leaves_running_ones_alone()
    {
        var scheduler = new KeyedScheduler<string>(maxInFlight: 1, maxPerKey: 1, new Dictionary<string, int>());
        scheduler.Enqueue("a", "l", "p0-a1");
        scheduler.Enqueue("b", "l", "p1-b1");
        scheduler.Enqueue("a", "l", "p0-a2");
        Assert.Equal(["p0-a1"], TakeAll(scheduler));

        var removed = scheduler.RemoveQueued(item => item.StartsWith("p0", StringComparison.Ordinal));
        Assert.Equal(["p0-a2"], removed);
        scheduler.Completed("a", "l");
        Assert.Equal(["p1-b1"], TakeAll(scheduler));
        Assert.Equal(0, scheduler.Queued);
    }

    private static List<string> TakeAll(KeyedScheduler<string> scheduler)
    {
        var taken = new List<string>();
        while (scheduler.TryTake(out var work))
        {
            taken.Add(work.Item);
        }

        return taken;
    }
}
