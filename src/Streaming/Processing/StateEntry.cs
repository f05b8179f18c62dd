using System.Text.Json;
using System.Text.Json.Serialization;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// One record's entry in a processor's changelog (a compacted topic, keyed by the record's identity, written
/// to the partition of the input it belongs to). Written before any output of the record is published, so
/// that recovery knows where to look for outputs it may already have published. <see cref="DeadLettered"/> marks a
/// finished entry whose record went to the dead-letter topic: an operator's replay of it is a new run, not a duplicate.
/// </summary>
internal sealed record StateEntry(
    string Identity,
    long Offset,
    bool Done,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, long> ScanFrom,
    byte[]? Payload,
    bool DeadLettered = false)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static StateEntry Deserialize(byte[] value) =>
        JsonSerializer.Deserialize<StateEntry>(value, Json) ?? throw new InvalidDataException("Empty changelog entry.");

    /// <summary>"topic:partition", the key of <see cref="ScanFrom"/>.</summary>
    public static string ScanKey(string topic, int partition) => $"{topic}:{partition}";

    public static (string Topic, int Partition) ParseScanKey(string key)
    {
        var colon = key.LastIndexOf(':');
        return (key[..colon], int.Parse(key[(colon + 1)..]));
    }
}
