using System.Text.Json;
using System.Text.Json.Serialization;

namespace CinematicSwitch.SchemaRegistry.Server.Storage;

/// <summary>
/// One change of the registry's state, as kept in the schemas topic. The key names what changed (a subject's
/// version, a compatibility level, a mode) and the last record of a key holds its state, so the topic may be
/// compacted; a null value (a tombstone) removes the key.
/// </summary>
internal abstract record RegistryRecord;

/// <summary>A subject's version: its schema id and text, and whether it is soft-deleted. Null <see cref="Value"/>: permanently deleted.</summary>
internal sealed record SchemaVersionRecord(string Subject, int Version, SchemaVersionValue? Value) : RegistryRecord;

/// <summary>A compatibility level, global (null subject) or of a subject; null <see cref="Compatibility"/>: removed.</summary>
internal sealed record ConfigRecord(string? Subject, string? Compatibility) : RegistryRecord;

/// <summary>A mode (READWRITE, READONLY), global or of a subject; null <see cref="Mode"/>: removed.</summary>
internal sealed record ModeRecord(string? Subject, string? Mode) : RegistryRecord;

internal sealed record SchemaVersionValue(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("schemaType")] string SchemaType,
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("deleted")] bool Deleted);

/// <summary>Key JSON: {"kind":"SCHEMA","subject":"s","version":1}. Written with a fixed property order, so one key
/// always has the same bytes (compaction compares bytes).</summary>
internal sealed record RecordKey(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("version")] int? Version);

internal sealed record ConfigValue([property: JsonPropertyName("compatibilityLevel")] string CompatibilityLevel);

internal sealed record ModeValue([property: JsonPropertyName("mode")] string Mode);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordKey))]
[JsonSerializable(typeof(SchemaVersionValue))]
[JsonSerializable(typeof(ConfigValue))]
[JsonSerializable(typeof(ModeValue))]
internal sealed partial class RecordJson : JsonSerializerContext;

/// <summary>Records to and from the topic's key and value bytes.</summary>
internal static class RecordCodec
{
    private const string SchemaKind = "SCHEMA";
    private const string ConfigKind = "CONFIG";
    private const string ModeKind = "MODE";

    public static (byte[] Key, byte[]? Value) Encode(RegistryRecord record) => record switch
    {
        SchemaVersionRecord r => (Key(SchemaKind, r.Subject, r.Version),
            r.Value is null ? null : JsonSerializer.SerializeToUtf8Bytes(r.Value, RecordJson.Default.SchemaVersionValue)),
        ConfigRecord r => (Key(ConfigKind, r.Subject, null),
            r.Compatibility is null ? null : JsonSerializer.SerializeToUtf8Bytes(new ConfigValue(r.Compatibility), RecordJson.Default.ConfigValue)),
        ModeRecord r => (Key(ModeKind, r.Subject, null),
            r.Mode is null ? null : JsonSerializer.SerializeToUtf8Bytes(new ModeValue(r.Mode), RecordJson.Default.ModeValue)),
        _ => throw new ArgumentOutOfRangeException(nameof(record), record.GetType().Name, "unknown record type"),
    };

    /// <summary>The record, or null for a key this version does not know (written by a newer registry).</summary>
    /// <exception cref="JsonException">The key or value is not JSON of the expected shape.</exception>
    public static RegistryRecord? Decode(byte[] key, byte[]? value)
    {
        var k = JsonSerializer.Deserialize(key, RecordJson.Default.RecordKey) ?? throw new JsonException("empty key");
        switch (k.Kind)
        {
            case SchemaKind:
                var subject = k.Subject ?? throw new JsonException("a SCHEMA key without subject");
                var version = k.Version ?? throw new JsonException("a SCHEMA key without version");
                return new SchemaVersionRecord(subject, version,
                    value is null ? null : JsonSerializer.Deserialize(value, RecordJson.Default.SchemaVersionValue));
            case ConfigKind:
                return new ConfigRecord(k.Subject, value is null ? null : JsonSerializer.Deserialize(value, RecordJson.Default.ConfigValue)?.CompatibilityLevel);
            case ModeKind:
                return new ModeRecord(k.Subject, value is null ? null : JsonSerializer.Deserialize(value, RecordJson.Default.ModeValue)?.Mode);
            default:
                return null;
        }
    }

    private static byte[] Key(string kind, string? subject, int? version) =>
        JsonSerializer.SerializeToUtf8Bytes(new RecordKey(kind, subject, version), RecordJson.Default.RecordKey);
}
