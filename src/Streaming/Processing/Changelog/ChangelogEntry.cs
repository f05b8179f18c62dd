using System.Text.Json;
using System.Text.Json.Serialization;

namespace CinematicSwitch.Streaming.Processing.Changelog;

internal enum EntryKind
{
    /// <summary>A member took the partition over: the claim's offset is its epoch, carried by every entry it writes.</summary>
    Claim,

    /// <summary>A record's saved state (the provider journal, the archiver's progress), durable before the work it guards.</summary>
    Journal,

    /// <summary>A record's outcome: the exact output records to publish (the outbox), and its final state.</summary>
    Decision,
}

/// <summary>
/// One entry of a processor's changelog: a compacted topic partitioned like the input, each entry written to the
/// partition of the input record it belongs to. <see cref="Epoch"/> is the offset of the claim its writer made when it
/// took the partition over. Keys carry it (<see cref="Key"/>), so that compaction keeps a valid entry of an identity
/// beside a later one written by a fenced owner; every claim has a key of its own, so compaction keeps them all.
/// </summary>
internal sealed record ChangelogEntry(
    EntryKind Kind,
    string Identity,
    long Epoch,
    long InputOffset,
    DateTimeOffset At,
    byte[]? Payload = null,
    IReadOnlyList<StoredOutput>? Outputs = null,
    IReadOnlyDictionary<string, long>? ScanFrom = null,
    bool DeadLettered = false,
    string? Member = null)
{
    private const string ClaimPrefix = "__claim/";

    public string Key => $"{Identity}@{Epoch}";

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, ChangelogJson.Default.ChangelogEntry);

    public static ChangelogEntry Deserialize(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize(value, ChangelogJson.Default.ChangelogEntry) ?? throw new InvalidDataException("Empty changelog entry.");

    /// <summary>A claim: its epoch is the offset it will be written at, unknown until then.</summary>
    public static ChangelogEntry Claim(string member, DateTimeOffset at) => new(EntryKind.Claim, ClaimPrefix + Guid.NewGuid().ToString("N"), -1, -1, at, Member: member);
}

/// <summary>A record to publish as it will be published: its place, key, value and headers (the runtime's included).</summary>
internal sealed record StoredOutput(string Topic, int Partition, byte[]? Key, byte[]? Value, IReadOnlyList<StoredHeader> Headers);

internal sealed record StoredHeader(string Name, byte[] Value);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChangelogEntry))]
internal sealed partial class ChangelogJson : JsonSerializerContext;
