using CinematicSwitch.Avro;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>A record in three versions: V2 adds fields with defaults (BACKWARD compatible with V1), V3 adds one
/// without a default (it cannot read V1 data, so BACKWARD refuses it).</summary>
public sealed record PersonV1(Guid Id, string Name);

public sealed record PersonV2(Guid Id, string Name, string Email, int? Age);

public sealed record PersonV3(Guid Id, string Name, string Phone);

internal static class TestSchemas
{
    public const string PersonV1 = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"name","type":"string"}]}
        """;

    public const string PersonV2 = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"name","type":"string"},
          {"name":"email","type":"string","default":"none"},
          {"name":"age","type":["null","int"],"default":null}]}
        """;

    public const string PersonV3 = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"name","type":"string"},
          {"name":"phone","type":"string"}]}
        """;

    /// <summary>V1 with the fields in the other order: another schema text (and id), the same record type.</summary>
    public const string PersonV1Reordered = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"name","type":"string"},
          {"name":"id","type":{"type":"string","logicalType":"uuid"}}]}
        """;

    /// <summary>No version of Person can be read with it, nor read it: name changes type.</summary>
    public const string PersonNameAsNumber = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"name","type":"long"}]}
        """;

    public static Schema V1 { get; } = Schema.Parse(PersonV1);

    public static Schema V2 { get; } = Schema.Parse(PersonV2);

    public static Schema V3 { get; } = Schema.Parse(PersonV3);

    /// <summary>The schema with a doc of its own: another schema text, so another id than any other test's.</summary>
    public static string Unique(string schema)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(schema)!.AsObject();
        node["doc"] = Guid.NewGuid().ToString("N");
        return node.ToJsonString();
    }

    /// <summary>A subject of its own for one test.</summary>
    public static string NewSubject(string test) => Testing.TestKafka.NewPrefix(test) + "value";
}
