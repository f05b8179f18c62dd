using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Testing;

/// <summary>
/// Outputs as a consumer that honours the fencing rule sees them (README, "Exactly once"): the first record of each
/// <c>cs-identity</c> counts, a later record of the same identity is ignored. That is only safe if every later record is
/// a byte-identical copy on the same topic (a new owner relaying its fenced predecessor's decision): anything else is a
/// second outcome, a conflict.
/// </summary>
public sealed class FencedView
{
    private readonly Dictionary<string, ConsumeResult<string, byte[]?>> _first = new(StringComparer.Ordinal);
    private readonly List<string> _conflicts = [];
    private readonly List<ConsumeResult<string, byte[]?>> _unidentified = [];

    /// <param name="records">The records of one or more topics that carry one kind of outcome, in each partition's order.</param>
    public FencedView(IEnumerable<ConsumeResult<string, byte[]?>> records)
    {
        foreach (var record in records)
        {
            if (StreamHeaders.Text(record.Message.Headers, StreamHeaders.Identity) is not { } identity)
            {
                _unidentified.Add(record);
            }
            else if (!_first.TryAdd(identity, record))
            {
                var first = _first[identity];
                if (first.Topic == record.Topic && (first.Message.Value ?? []).AsSpan().SequenceEqual(record.Message.Value ?? []))
                {
                    Copies++;
                }
                else
                {
                    _conflicts.Add($"{identity}: {Where(first)} and {Where(record)} differ{(first.Topic == record.Topic ? " in their bytes" : "")}");
                }
            }
        }
    }

    /// <summary>The record that counts, by identity.</summary>
    public IReadOnlyDictionary<string, ConsumeResult<string, byte[]?>> Outcomes => _first;

    /// <summary>Later records that are byte-identical copies of the first of their identity (ignored by readers).</summary>
    public int Copies { get; }

    /// <summary>Identities with a second, different record: two outcomes that readers cannot tell apart.</summary>
    public IReadOnlyList<string> Conflicts => _conflicts;

    /// <summary>Records without an identity header (no reader could apply the rule to them).</summary>
    public IReadOnlyList<ConsumeResult<string, byte[]?>> Unidentified => _unidentified;

    private static string Where(ConsumeResult<string, byte[]?> record) => $"{record.Topic}/{record.Partition.Value}@{record.Offset.Value}";
}
