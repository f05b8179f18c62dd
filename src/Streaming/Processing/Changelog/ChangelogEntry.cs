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
/// took the partition over. Every entry has a key of its own (<see cref="Key"/>): a write that lands late (retried by the
/// producer through a broker outage, after a newer owner's claim) is invalid, and with a shared key compaction would let
/// it replace the valid entry its writer made earlier. Entries leave the log by the sweeper's tombstones only.
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
    string? Member = null,
    long Supersedes = 0)
{
    private const string ClaimIdentity = "__claim";

    /// <summary>This entry's key in the changelog, unique to it: "{identity}@{epoch}/{write id}".</summary>
    [JsonIgnore]
    public string Key { get; } = $"{Identity}@{Epoch}/{Guid.NewGuid():N}";

    /// <summary>The identity a changelog key belongs to.</summary>
    public static string IdentityOf(string key) => key[..key.LastIndexOf('@')];

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, ChangelogJson.Default.ChangelogEntry);

    public static ChangelogEntry Deserialize(ReadOnlySpan<byte> value) =>
        JsonSerializer.Deserialize(value, ChangelogJson.Default.ChangelogEntry) ?? throw new InvalidDataException("Empty changelog entry.");

    /// <summary>
    /// A claim: its epoch is the offset it will be written at, unknown until then; <paramref name="supersedes"/> is the claim
    /// in force where its writer read the log to its end (<see cref="ClaimChain"/>).
    /// </summary>
    public static ChangelogEntry Claim(string member, long supersedes, DateTimeOffset at) =>
        new(EntryKind.Claim, ClaimIdentity, -1, -1, at, Member: member, Supersedes: supersedes);
}

/// <summary>A record to publish as it will be published: its place, key, value and headers (the runtime's included).</summary>
internal sealed record StoredOutput(string Topic, int Partition, byte[]? Key, byte[]? Value, IReadOnlyList<StoredHeader> Headers);

internal sealed record StoredHeader(string Name, byte[] Value);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ChangelogEntry))]
internal sealed partial class ChangelogJson : JsonSerializerContext;
