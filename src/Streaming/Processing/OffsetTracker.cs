namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// Offsets of one partition, received in order and finished in any order. Only the contiguous prefix of
/// finished records is committable, so a crash never skips an unfinished record.
/// </summary>
internal sealed class OffsetTracker
{
    private readonly SortedSet<long> _pending = [];
    private long _highestReceived = -1;
    private long _committed = -1;

    /// <summary>Records received and not yet finished.</summary>
    public int Pending => _pending.Count;

    /// <summary>False for an offset at or below one already received (a consumer offset reset): it is not tracked again.</summary>
    public bool Received(long offset)
    {
        if (offset <= _highestReceived)
        {
            return false;
        }

        _highestReceived = offset;
        _pending.Add(offset);
        return true;
    }

    public void Finished(long offset) => _pending.Remove(offset);

    /// <summary>The offset to commit (the next record to read after the finished prefix), when it moved past the last commit.</summary>
    public long? Committable()
    {
        if (_highestReceived < 0)
        {
            return null;
        }

        var next = _pending.Count == 0 ? _highestReceived + 1 : _pending.Min;
        return next > _committed ? next : null;
    }

    public void Committed(long offset) => _committed = Math.Max(_committed, offset);
}
