namespace CinematicSwitch.Ops.Replay;

/// <summary>Spaces calls evenly at no more than <paramref name="perSecond"/>; the first call does not wait.</summary>
internal sealed class RateLimiter(double perSecond, TimeProvider time)
{
    private readonly TimeSpan _interval = TimeSpan.FromSeconds(1 / perSecond);
    private long? _next;

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var now = time.GetTimestamp();
        if (_next is { } next && next > now)
        {
            await Task.Delay(time.GetElapsedTime(now, next), time, cancellationToken);
            now = next;
        }

        _next = now + (long)(_interval.TotalSeconds * time.TimestampFrequency);
    }
}
