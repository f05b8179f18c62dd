using System.Collections.Concurrent;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// What a partition's owner knows about the records it may see again: their changelog entries (finished,
/// or in flight under a previous owner, with their saved state) and which of their outputs are already
/// published. Built on assignment by <see cref="RecoveryLoader"/>; kept current while the partition is owned.
/// </summary>
internal sealed class PartitionRecovery
{
    private readonly ConcurrentDictionary<string, StateEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Identity, string Output), byte> _published = new();
    private readonly ConcurrentDictionary<string, long> _frontier = new(StringComparer.Ordinal);

    public StateEntry? Entry(string identity) => _entries.GetValueOrDefault(identity);

    public void Put(StateEntry entry) => _entries[entry.Identity] = entry;

    public void Remove(string identity) => _entries.TryRemove(identity, out _);

    public IEnumerable<StateEntry> Entries => _entries.Values;

    public bool IsPublished(string identity, string output) => _published.ContainsKey((identity, output));

    public void MarkPublished(string identity, string output) => _published[(identity, output)] = 0;

    /// <summary>Forgets what only mattered while the record was unfinished.</summary>
    public void ForgetPublished(string identity)
    {
        foreach (var key in _published.Keys.Where(k => k.Identity == identity))
        {
            _published.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// A lower bound of the end of an output partition: every record published to it from now on lands at
    /// or after this offset. Null when not known yet.
    /// </summary>
    public long? Frontier(string scanKey) => _frontier.TryGetValue(scanKey, out var offset) ? offset : null;

    public void AdvanceFrontier(string scanKey, long nextOffset) =>
        _frontier.AddOrUpdate(scanKey, nextOffset, (_, current) => Math.Max(current, nextOffset));
}
