using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// Values of one event type as a serializer wrote them in the Confluent wire format (Fixtures/*.json): the writer
/// schema it registered, and per value the bytes (with the schema id the registry gave it then) and the typed record
/// they hold. Captured with the project's own Avro serializer before the switch to Confluent's serdes (the commit that
/// added them has the capture), so that later serializers, and later registries, are held to reading what was written.
/// </summary>
internal sealed record WireFixture(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("written_by")] string WrittenBy,
    [property: JsonPropertyName("writer_schema")] JsonNode WriterSchema,
    [property: JsonPropertyName("values")] IReadOnlyList<WireFixtureValue> Values)
{
    /// <summary>The typed records as JSON: property names as in C#, enums by name, times with their offset.</summary>
    private static readonly JsonSerializerOptions RecordJson = new() { Converters = { new JsonStringEnumConverter() } };

    public static string Directory => Path.Combine(RepositoryLayout.Root, "tests", "Contracts.Tests", "Fixtures");

    public static string PathOf(Type eventType) => Path.Combine(Directory, eventType.Name + ".json");

    public static WireFixture Load(Type eventType) =>
        JsonSerializer.Deserialize<WireFixture>(File.ReadAllText(PathOf(eventType)))
            ?? throw new InvalidDataException($"{PathOf(eventType)} is empty");

    /// <summary>The typed record a value holds.</summary>
    public object Expected(WireFixtureValue value) =>
        value.Record.Deserialize(EventSchemas.EventTypes.Single(t => t.Name == Event), RecordJson)
            ?? throw new InvalidDataException($"{Event} {value.Name}: no record");
}

internal sealed record WireFixtureValue(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("schema_id")] int SchemaId,
    [property: JsonPropertyName("wire_base64")] string WireBase64,
    [property: JsonPropertyName("record")] JsonNode Record)
{
    [JsonIgnore]
    public byte[] Wire => Convert.FromBase64String(WireBase64);
}
