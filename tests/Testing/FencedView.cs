using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Testing;

/// <summary>
/// Outputs as a consumer that honours the fencing rule sees them (README, "Exactly once"): of the records of one
/// <c>cs-identity</c> from one stream (the <c>cs-source</c> topic), the first counts and a later one is ignored. That is
/// only safe if every later record is a byte-identical copy on the same topic (a new owner relaying its fenced
/// predecessor's decision): anything else is a second outcome, a conflict.
/// </summary>
public sealed class FencedView
{
    private readonly Dictionary<OutputKey, ConsumeResult<string, byte[]?>> _first = [];
    private readonly List<string> _conflicts = [];
    private readonly List<ConsumeResult<string, byte[]?>> _unidentified = [];

    /// <param name="records">The records of one or more topics that carry one kind of outcome, in each partition's order.</param>
    public FencedView(IEnumerable<ConsumeResult<string, byte[]?>> records)
    {
        foreach (var record in records)
        {
            var headers = record.Message.Headers;
            if (StreamHeaders.Text(headers, StreamHeaders.Identity) is not { } identity)
            {
                _unidentified.Add(record);
                continue;
            }

            var source = StreamHeaders.Text(headers, StreamHeaders.Source) is { } text ? text[..text.IndexOf('/', StringComparison.Ordinal)] : "";
            var key = new OutputKey(identity, source);
            if (!_first.TryAdd(key, record))
            {
                var first = _first[key];
                if (first.Topic == record.Topic && (first.Message.Value ?? []).AsSpan().SequenceEqual(record.Message.Value ?? []))
                {
                    Copies++;
                }
                else
                {
                    _conflicts.Add($"{key}: {Where(first)} and {Where(record)} differ{(first.Topic == record.Topic ? " in their bytes" : "")}");
                }
            }
        }
    }

    /// <summary>The records that count, by identity and stream.</summary>
    public IReadOnlyDictionary<OutputKey, ConsumeResult<string, byte[]?>> Outcomes => _first;

    /// <summary>Later records that are byte-identical copies of the first of their identity (ignored by readers).</summary>
    public int Copies { get; }

    /// <summary>Identities with a second, different record from the same stream: two outcomes that readers cannot tell apart.</summary>
    public IReadOnlyList<string> Conflicts => _conflicts;

    /// <summary>Records without an identity header: no reader can apply the rule to them, so each counts.</summary>
    public IReadOnlyList<ConsumeResult<string, byte[]?>> Unidentified => _unidentified;

    private static string Where(ConsumeResult<string, byte[]?> record) => $"{record.Topic}/{record.Partition.Value}@{record.Offset.Value}";
}

/// <summary>What the fencing rule tells outputs apart by: the identity of the input record and the stream (input topic) that answered it.</summary>
public readonly record struct OutputKey(string Identity, string Stream)
{
    public override string ToString() => $"{Identity} from {Stream}";
}
