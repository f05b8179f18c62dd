using Avro;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>A record in three versions: V2 adds fields with defaults (BACKWARD compatible with V1), V3 adds one
/// without a default (it cannot read V1 data, so BACKWARD refuses it).</summary>
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

    /// <summary>No version of Person can be read with it, nor read it: name changes type.</summary>
    public const string PersonNameAsNumber = """
        {"type":"record","name":"Person","namespace":"test.people","fields":[
          {"name":"id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"name","type":"long"}]}
        """;

    public static Schema V1 { get; } = Schema.Parse(PersonV1);

    public static Schema V2 { get; } = Schema.Parse(PersonV2);

    /// <summary>The schema with a doc of its own: another schema text, so another id than any other test's.</summary>
    public static string Unique(string schema)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(schema)!.AsObject();
        node["doc"] = Guid.NewGuid().ToString("N");
        return node.ToJsonString();
    }

    /// <summary>A subject of its own for one test.</summary>
    public static string NewSubject(string test) => Testing.TestKafka.NewPrefix(test) + "value";

    /// <summary>The parsing canonical form, which tells whether two schemas are the same schema.</summary>
    public static string Canonical(string schema) => SchemaNormalization.ToParsingForm(Schema.Parse(schema));

    public static string Canonical(Schema schema) => SchemaNormalization.ToParsingForm(schema);
}

/// <summary>Events for the serde tests; the correlation id is the "content" no failure message may repeat.</summary>
internal static class TestEvents
{
    public const string Secretish = "corr-do-not-log-me-7f3a";

    public static TransformationStarted Started(string model = "gen4_turbo") => new(
        Guid.Parse("6f1c2d3e-4a5b-4c6d-8e7f-901234567890"), "tenant-ada", Secretish, "skill:generate_intro_video_loop",
        new DateTimeOffset(2025, 5, 17, 10, 11, 12, 345, TimeSpan.Zero), new DateTimeOffset(2025, 5, 17, 10, 11, 2, 0, TimeSpan.Zero),
        Provider.Runway, model, 1);

    public static TransformationRequested Requested() => new(
        Guid.Parse("0b7e3f7a-5d0c-4f43-9a1e-2f3c4d5e6f70"), "tenant-ada", Secretish, "http:ingest",
        new DateTimeOffset(2025, 5, 17, 10, 11, 2, 0, TimeSpan.Zero), TransformationTask.ImageTransform,
        new MediaReference("s3://in/a.png", "image/png", MediaKind.Image, 1234, "ab"), "a lighthouse keeper in a storm", "vintage", null, 2,
        "16:9", null, Provider.Replicate, null);
}
