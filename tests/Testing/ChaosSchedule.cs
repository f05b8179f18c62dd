using System.Diagnostics;

namespace CinematicSwitch.Testing;

/// <summary>
/// Faults run one after another in an order and with gaps drawn from a seeded random source, so that a seed replays its
/// run's schedule: each fault draws what it needs (a victim, a duration) from <see cref="Random"/> and says what it did.
/// </summary>
public sealed class ChaosSchedule(int seed)
{
    private readonly List<Func<Task<string>>> _faults = [];

    public Random Random { get; } = new(seed);

    public int Seed => seed;

    /// <summary>What each fault did, with the time it started (on the clock <see cref="RunAsync"/> was given).</summary>
    public List<string> Log { get; } = [];

    public ChaosSchedule Add(Func<Task<string>> fault, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            _faults.Add(fault);
        }

        return this;
    }

    /// <summary>Runs every fault once, shuffled, each after a gap between <paramref name="minGap"/> and <paramref name="maxGap"/>.</summary>
    public async Task RunAsync(TimeSpan minGap, TimeSpan maxGap, Stopwatch clock)
    {
        var order = _faults.ToArray();
        Random.Shuffle(order);
        foreach (var fault in order)
        {
            await Task.Delay(Between(minGap, maxGap));
            var started = clock.Elapsed;
            var what = await fault();
            Log.Add($"{started:mm\\:ss\\.f} {what}");
        }
    }

    /// <summary>A duration between the two, drawn from the schedule's source.</summary>
    public TimeSpan Between(TimeSpan min, TimeSpan max) => min + ((max - min) * Random.NextDouble());
}
