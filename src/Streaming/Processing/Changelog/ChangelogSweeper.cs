using CinematicSwitch.Streaming.Processing.Ownership;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// Forgets decided records older than the deduplication window whose offsets are committed, in memory and in the
/// changelog (a tombstone per key, which compaction turns into deletion). Claims are kept: they are what makes entries
/// written by a fenced owner recognisable.
/// </summary>
internal sealed class ChangelogSweeper(ChangelogWriter changelog, TimeSpan window, TimeProvider time)
{
    public void Sweep(IEnumerable<PartitionOwner> owners)
    {
        var horizon = time.GetUtcNow() - window;
        foreach (var owner in owners)
        {
            if (owner.RecoveredLedger is not { } ledger || owner.Released)
            {
                continue;
            }

            long committed;
            lock (owner.Gate)
            {
                committed = owner.Offsets.LastCommitted;
            }

            foreach (var entry in ledger.Entries.Where(e => e.Kind == EntryKind.Decision && e.At < horizon && e.InputOffset < committed).ToList())
            {
                foreach (var key in ledger.Forget(entry.Identity))
                {
                    changelog.Tombstone(owner.Number, key);
                }
            }
        }
    }
}
