namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// Offsets of one partition, received in order and finished in any order. Only the contiguous prefix of finished
/// records is committable, so a crash never skips an unfinished record. Not thread-safe: its owner locks.
/// </summary>
internal sealed class OffsetTracker(long startOffset)
{
    private readonly SortedSet<long> _pending = [];
    private long _highestReceived = startOffset - 1;
    private long _committed = startOffset;

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

    /// <summary>
    /// The offset to commit: the next record to read after the finished prefix. An unchanged offset is committed again, as
    /// proof of membership that renews the partition's lease.
    /// </summary>
    public long Position => _pending.Count == 0 ? _highestReceived + 1 : _pending.Min;

    /// <summary>The last offset the group has stored for this partition (by this owner or, at first, its predecessor).</summary>
    public long LastCommitted => _committed;

    public void Committed(long offset) => _committed = Math.Max(_committed, offset);
}
