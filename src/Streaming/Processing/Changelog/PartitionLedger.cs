using System.Collections.Concurrent;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// What the owner of one input partition knows about the records it may see again: for each identity its latest valid
/// changelog entry (work in progress, or a decision), which outputs of the decisions not yet known to be out were found
/// published, and where output partitions end. Built by <see cref="ChangelogRecovery"/> when the partition is assigned
/// and kept current by this owner's own writes.
/// </summary>
internal sealed class PartitionLedger(long epoch, long committedOffset)
{
    private readonly ConcurrentDictionary<string, ChangelogEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Identity, int Output), byte> _published = new();
    private readonly ConcurrentDictionary<string, long> _frontier = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _keys = new(StringComparer.Ordinal);

    /// <summary>The owner's epoch (the offset of its claim): every entry it writes carries it.</summary>
    public long Epoch { get; } = epoch;

    /// <summary>The input offset committed when the partition was assigned: decisions below it have their outputs out.</summary>
    public long CommittedOffset { get; } = committedOffset;

    public IEnumerable<ChangelogEntry> Entries => _entries.Values;

    public int Count => _entries.Count;

    public ChangelogEntry? Entry(string identity) => _entries.GetValueOrDefault(identity);

    /// <summary>Makes <paramref name="entry"/>, written under <paramref name="key"/>, the identity's latest valid entry.</summary>
    public void Put(ChangelogEntry entry, string key)
    {
        _entries[entry.Identity] = entry;
        Remember(entry.Identity, key);
    }

    /// <summary>Keeps a changelog key of an identity for the sweep without counting its entry (one a fenced owner wrote).</summary>
    public void Remember(string identity, string key) => _keys.GetOrAdd(identity, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[key] = 0;

    /// <summary>Forgets an identity (a finished record past the deduplication window); returns every changelog key it was written under.</summary>
    public IReadOnlyList<string> Forget(string identity)
    {
        _entries.TryRemove(identity, out _);
        ForgetPublished(identity);
        return _keys.TryRemove(identity, out var keys) ? [.. keys.Keys] : [];
    }

    public bool IsPublished(string identity, int output) => _published.ContainsKey((identity, output));

    public void MarkPublished(string identity, int output) => _published[(identity, output)] = 0;

    /// <summary>Once a decision's outputs are all out, what was read back about it no longer matters.</summary>
    public void ForgetPublished(string identity)
    {
        foreach (var key in _published.Keys.Where(k => k.Identity == identity))
        {
            _published.TryRemove(key, out _);
        }
    }

    /// <summary>
    /// A lower bound of the end of an output partition ("topic:partition"): every record published to it from now on lands
    /// at or after it. Null until known.
    /// </summary>
    public long? Frontier(string scanKey) => _frontier.TryGetValue(scanKey, out var offset) ? offset : null;

    public void AdvanceFrontier(string scanKey, long nextOffset) =>
        _frontier.AddOrUpdate(scanKey, nextOffset, (_, current) => Math.Max(current, nextOffset));

    /// <summary>"topic:partition", the key of a decision's scan positions.</summary>
    public static string ScanKey(string topic, int partition) => $"{topic}:{partition}";

    public static (string Topic, int Partition) ParseScanKey(string key)
    {
        var colon = key.LastIndexOf(':');
        return (key[..colon], int.Parse(key[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}
