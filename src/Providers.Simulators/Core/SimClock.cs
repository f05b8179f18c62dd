namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>
/// The simulators' clock: the system's, moved on by <see cref="Advance"/> (control API POST /_sim/clock), so that a test can
/// see what a provider does an hour later (Replicate removes a prediction's data) without waiting an hour.
/// </summary>
public sealed class SimClock : TimeProvider
{
    private long offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);

    public void Reset() => Interlocked.Exchange(ref offsetTicks, 0);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
