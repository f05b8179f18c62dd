using System.Buffers;
using CinematicSwitch.Avro.Generic;

namespace CinematicSwitch.Avro.Tests;

public enum MediaKind
{
    Image,
    ImageToVideo,
    [AvroSymbol("mp4")]
    Mp4Clip,
}

public sealed record Dimensions(int Width, int Height);

public sealed record Everything(
    Guid RequestId,
    string TenantId,
    string? CorrelationId,
    int Count,
    long Total,
    float Ratio,
    double Score,
    bool Ready,
    byte[] Payload,
    DateTimeOffset RequestedAt,
    DateTimeOffset PreciseAt,
    DateOnly Day,
    TimeOnly Clock,
    DateTime LocalAt,
    decimal Price,
    decimal FixedPrice,
    AvroDuration Period,
    byte[] Digest,
    MediaKind Kind,
    MediaKind? MaybeKind,
    int? MaybeCount,
    Dimensions Size,
    Dimensions? MaybeSize,
    IReadOnlyList<string> Tags,
    Dimensions[] History,
    List<int?> Scores,
    IReadOnlyDictionary<string, long> Counters,
    [property: AvroField("renamed")] string Other);

public sealed class InitOnly
{
    public required string Name { get; init; }
    public int Level { get; init; }
    public IReadOnlyList<string>? Notes { get; init; }
}

public sealed record Node(string Label, IReadOnlyList<Node> Children);

public sealed class CodecTests
{
    public const string EverythingSchema = """
        {"type":"record","name":"Everything","namespace":"test","fields":[
          {"name":"request_id","type":{"type":"string","logicalType":"uuid"}},
          {"name":"tenant_id","type":"string"},
          {"name":"correlation_id","type":["null","string"],"default":null},
          {"name":"count","type":"int"},
          {"name":"total","type":"long"},
          {"name":"ratio","type":"float"},
          {"name":"score","type":"double"},
          {"name":"ready","type":"boolean"},
          {"name":"payload","type":"bytes"},
          {"name":"requested_at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"precise_at","type":{"type":"long","logicalType":"timestamp-micros"}},
          {"name":"day","type":{"type":"int","logicalType":"date"}},
          {"name":"clock","type":{"type":"int","logicalType":"time-millis"}},
          {"name":"local_at","type":{"type":"long","logicalType":"local-timestamp-millis"}},
          {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"fixed_price","type":{"type":"fixed","name":"Money","size":8,"logicalType":"decimal","precision":18,"scale":4}},
          {"name":"period","type":{"type":"fixed","name":"Period","size":12,"logicalType":"duration"}},
          {"name":"digest","type":{"type":"fixed","name":"Digest","size":4}},
          {"name":"kind","type":{"type":"enum","name":"MediaKind","symbols":["IMAGE","IMAGE_TO_VIDEO","mp4"]}},
          {"name":"maybe_kind","type":["null","MediaKind"]},
          {"name":"maybe_count","type":["int","null"]},
          {"name":"size","type":{"type":"record","name":"Dimensions","fields":[{"name":"width","type":"int"},{"name":"height","type":"int"}]}},
          {"name":"maybe_size","type":["null","Dimensions"]},
          {"name":"tags","type":{"type":"array","items":"string"}},
          {"name":"history","type":{"type":"array","items":"Dimensions"}},
          {"name":"scores","type":{"type":"array","items":["null","int"]}},
          {"name":"counters","type":{"type":"map","values":"long"}},
          {"name":"renamed","type":"string"}]}
        """;

    private static Everything Sample() => new(
        Guid.Parse("0b4cf3a0-8d5b-4b8e-9a51-1e0e6c3f2a77"), "tenant-1", null, -3, 1L << 40, 0.5f, -2.25, true, [1, 2, 3],
        DateTimeOffset.Parse("2024-05-06T07:08:09.123Z"), DateTimeOffset.Parse("1969-12-31T23:59:59.999999Z"),
        new DateOnly(2024, 2, 29), new TimeOnly(23, 59, 58, 999), new DateTime(2024, 1, 2, 3, 4, 5, 6),
        -1234567.89m, 12.3456m, new AvroDuration(1, 2, 3), [9, 8, 7, 6], MediaKind.ImageToVideo, MediaKind.Mp4Clip, null,
        new Dimensions(16, 9), null, ["a", "ü"], [new Dimensions(1, 2), new Dimensions(3, 4)], [1, null, 3],
        new Dictionary<string, long> { ["x"] = 1, ["y"] = -1 }, "other");

    private static readonly List<int?> NoScores = [];
    private static readonly Dictionary<string, long> NoCounters = [];

    private static void AssertSame(Everything expected, Everything actual)
    {
        // Collections compare by reference in record equality: blank them, then compare them by content.
        Assert.Equal(expected with { Payload = [], Digest = [], Tags = [], History = [], Scores = NoScores, Counters = NoCounters },
            actual with { Payload = [], Digest = [], Tags = [], History = [], Scores = NoScores, Counters = NoCounters });
        Assert.Equal(expected.Payload, actual.Payload);
        Assert.Equal(expected.Digest, actual.Digest);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.History, actual.History);
        Assert.Equal(expected.Scores, actual.Scores);
        Assert.Equal(expected.Counters.OrderBy(e => e.Key), actual.Counters.OrderBy(e => e.Key));
    }

    [Fact]
    public void Every_supported_mapping_round_trips()
    {
        var codec = new AvroCodec<Everything>(Schema.Parse(EverythingSchema));
        var sample = Sample();
        var output = new ArrayBufferWriter<byte>();
        codec.Serialize(sample, output);
        AssertSame(sample, codec.Deserialize(output.WrittenSpan));

        var full = sample with { CorrelationId = "c", MaybeKind = null, MaybeCount = 5, MaybeSize = new Dimensions(0, 0), Tags = [], Counters = new Dictionary<string, long>() };
        AssertSame(full, codec.Deserialize(codec.Serialize(full)));
    }

    [Fact]
    public void Typed_bytes_equal_generic_bytes_for_the_same_values()
    {
        var schema = (RecordSchema)Schema.Parse(EverythingSchema);
        var typed = new AvroCodec<Everything>(schema).Serialize(Sample());
        var generic = (GenericRecord)new GenericDatumReader(schema).Read(typed)!;

        Assert.Equal("0b4cf3a0-8d5b-4b8e-9a51-1e0e6c3f2a77", generic["request_id"]);
        Assert.Equal(1714979289123L, generic["requested_at"]);
        Assert.Equal(-1L, generic["precise_at"]);
        Assert.Equal(19782, generic["day"]);
        Assert.Equal(86398999, generic["clock"]);
        Assert.Equal(1704164645006L, generic["local_at"]);
        Assert.Equal("F8A432EB", Hex.Of((byte[])generic["price"]!)); // -123456789 in two's complement
        Assert.Equal("000000000001E240", ((GenericFixed)generic["fixed_price"]!).ToString()); // 123456 at scale 4
        Assert.Equal("010000000200000003000000", ((GenericFixed)generic["period"]!).ToString());
        Assert.Equal("IMAGE_TO_VIDEO", ((GenericEnum)generic["kind"]!).Symbol);
        Assert.Equal("mp4", ((GenericEnum)generic["maybe_kind"]!).Symbol);
        Assert.Equal(typed, GenericDatumWriter.Serialize(schema, generic));
    }

    [Fact]
    public void Classes_with_init_properties_and_recursive_records_map()
    {
        var initCodec = new AvroCodec<InitOnly>(Schema.Parse("""
            {"type":"record","name":"InitOnly","fields":[{"name":"name","type":"string"},{"name":"level","type":"int"},
             {"name":"notes","type":["null",{"type":"array","items":"string"}],"default":null}]}
            """));
        var value = initCodec.Deserialize(initCodec.Serialize(new InitOnly { Name = "n", Level = 3, Notes = ["x"] }));
        Assert.Equal(("n", 3, "x"), (value.Name, value.Level, Assert.Single(value.Notes!)));

        var treeCodec = new AvroCodec<Node>(Schema.Parse("""{"type":"record","name":"Node","fields":[{"name":"label","type":"string"},{"name":"children","type":{"type":"array","items":"Node"}}]}"""));
        var tree = treeCodec.Deserialize(treeCodec.Serialize(new Node("root", [new Node("leaf", [])])));
        Assert.Equal("leaf", tree.Children[0].Label);
    }

    [Fact]
    public void Mismatches_are_listed_exactly()
    {
        var error = Assert.Throws<AvroMappingException>(() => new AvroCodec<Dimensions>(Schema.Parse("""
            {"type":"record","name":"Dimensions","fields":[{"name":"width","type":"long"},{"name":"depth","type":"int"}]}
            """)));
        Assert.Equal(
            $"Dimensions does not match schema 'Dimensions':{Environment.NewLine}" +
            $"- Dimensions.Width (field 'width' at /fields/0): Int32 cannot hold schema \"long\": expected Int64{Environment.NewLine}" +
            $"- Dimensions.Height has no field in record 'Dimensions' (expected a field named 'height'){Environment.NewLine}" +
            "- field 'depth' (/fields/1) of record 'Dimensions' has no property on Dimensions (expected a property named 'Depth' or one marked [AvroField(\"depth\")])",
            error.Message);
    }

    [Fact]
    public void Nullability_must_match_the_schema()
    {
        var optionalInSchema = Assert.Throws<AvroMappingException>(() => new AvroCodec<Dimensions>(Schema.Parse("""
            {"type":"record","name":"Dimensions","fields":[{"name":"width","type":["null","int"]},{"name":"height","type":"int"}]}
            """)));
        Assert.Contains("Dimensions.Width (field 'width' at /fields/0): Int32 cannot hold schema [\"null\",\"int\"]: the schema allows null, so the member must be nullable (Int32?)",
            optionalInSchema.Message, StringComparison.Ordinal);

        var nullableMember = Assert.Throws<AvroMappingException>(() => new AvroCodec<InitOnly>(Schema.Parse("""
            {"type":"record","name":"InitOnly","fields":[{"name":"name","type":"string"},{"name":"level","type":"int"},{"name":"notes","type":{"type":"array","items":"string"}}]}
            """)));
        Assert.Contains("InitOnly.Notes (field 'notes' at /fields/2): IReadOnlyList<String> cannot hold schema {\"type\":\"array\",\"items\":\"string\"}: the member is nullable but the schema is not a union with null",
            nullableMember.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enum_members_and_symbols_must_match()
    {
        var error = Assert.Throws<AvroMappingException>(() => new AvroCodec<Everything>(Schema.Parse(
            EverythingSchema.Replace("\"symbols\":[\"IMAGE\",\"IMAGE_TO_VIDEO\",\"mp4\"]", "\"symbols\":[\"IMAGE\",\"VIDEO\",\"mp4\"]", StringComparison.Ordinal))));
        Assert.Contains("enum MediaKind does not match enum 'test.MediaKind': symbol VIDEO has no member; member ImageToVideo (symbol IMAGE_TO_VIDEO) is not a symbol of the schema",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_record_schemas_and_unsupported_unions_are_rejected()
    {
        Assert.Throws<AvroMappingException>(() => new AvroCodec<Dimensions>(Schema.Parse("\"int\"")));
        var error = Assert.Throws<AvroMappingException>(() => new AvroCodec<Dimensions>(Schema.Parse("""
            {"type":"record","name":"Dimensions","fields":[{"name":"width","type":["int","string"]},{"name":"height","type":"int"}]}
            """)));
        Assert.Contains("the typed codec maps only unions of null and one other type", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_in_a_non_nullable_member_is_reported_on_write()
    {
        var codec = new AvroCodec<Node>(Schema.Parse("""{"type":"record","name":"Node","fields":[{"name":"label","type":"string"},{"name":"children","type":{"type":"array","items":"Node"}}]}"""));
        var error = Assert.Throws<AvroEncodingException>(() => codec.Serialize(new Node(null!, [])));
        Assert.Equal("Node.label is null, but its schema does not allow null", error.Message);
    }

    [Fact]
    public void Decimals_that_need_rounding_or_exceed_precision_are_refused()
    {
        var codec = new AvroCodec<Everything>(Schema.Parse(EverythingSchema));
        Assert.Throws<AvroEncodingException>(() => codec.Serialize(Sample() with { Price = 1.001m }));
        Assert.Throws<AvroEncodingException>(() => codec.Serialize(Sample() with { Price = 10_000_000_000m }));
        Assert.Equal(1.1m, codec.Deserialize(codec.Serialize(Sample() with { Price = 1.1m })).Price);
    }

    [Fact]
    public void Reading_with_a_writer_schema_resolves_and_uses_defaults()
    {
        var reader = Schema.Parse("""
            {"type":"record","name":"InitOnly","fields":[{"name":"name","type":"string"},{"name":"level","type":"int","default":7},
             {"name":"notes","type":["null",{"type":"array","items":"string"}],"default":null}]}
            """);
        var writer = Schema.Parse("""
            {"type":"record","name":"InitOnly","fields":[{"name":"extra","type":{"type":"map","values":"string"}},{"name":"name","type":"bytes"}]}
            """);
        var bytes = GenericDatumWriter.Serialize(writer, new GenericRecord((RecordSchema)writer)
        {
            ["extra"] = new Dictionary<string, object?> { ["k"] = "v" },
            ["name"] = "from bytes"u8.ToArray(),
        });
        var codec = new AvroCodec<InitOnly>(reader);
        var value = codec.Deserialize(bytes, writer);
        Assert.Equal(("from bytes", 7, (IReadOnlyList<string>?)null), (value.Name, value.Level, value.Notes));

        // Same result through the cache, and through an equal schema parsed again.
        Assert.Equal("from bytes", codec.Deserialize(bytes, writer).Name);
        Assert.Equal("from bytes", codec.Deserialize(bytes, Schema.Parse(writer.ToJson())).Name);
    }

    [Fact]
    public void Typed_reading_promotes_and_maps_unknown_enum_symbols_to_the_default()
    {
        var reader = Schema.Parse("""
            {"type":"record","name":"R","fields":[{"name":"total","type":"double"},
             {"name":"kind","type":{"type":"enum","name":"MediaKind","symbols":["IMAGE","IMAGE_TO_VIDEO","mp4"],"default":"IMAGE"}},
             {"name":"tags","type":{"type":"array","items":"string"},"default":["d"]}]}
            """);
        var writer = Schema.Parse("""
            {"type":"record","name":"R","fields":[{"name":"total","type":["null","int"]},
             {"name":"kind","type":{"type":"enum","name":"MediaKind","symbols":["AUDIO","IMAGE"]}}]}
            """);
        var bytes = GenericDatumWriter.Serialize(writer, new GenericRecord((RecordSchema)writer) { ["total"] = 5, ["kind"] = "AUDIO" });
        var codec = new AvroCodec<Promoted>(reader);
        var value = codec.Deserialize(bytes, writer);
        Assert.Equal((5d, MediaKind.Image, "d"), (value.Total, value.Kind, Assert.Single(value.Tags)));

        var nullTotal = GenericDatumWriter.Serialize(writer, new GenericRecord((RecordSchema)writer) { ["total"] = null, ["kind"] = "IMAGE" });
        var error = Assert.Throws<AvroResolutionException>(() => codec.Deserialize(nullTotal, writer));
        Assert.Equal("/fields/0/type reader type 'double' cannot read writer type 'null' (writer union branch 0)", error.Message);
    }

    [Fact]
    public void A_writer_schema_the_reader_cannot_read_is_refused_with_the_reasons()
    {
        var codec = new AvroCodec<Dimensions>(Schema.Parse("""{"type":"record","name":"Dimensions","fields":[{"name":"width","type":"int"},{"name":"height","type":"int"}]}"""));
        var writer = Schema.Parse("""{"type":"record","name":"Dimensions","fields":[{"name":"width","type":"int"}]}""");
        var error = Assert.Throws<AvroResolutionException>(() => codec.Deserialize([2], writer));
        Assert.Equal("Reader schema Dimensions cannot read data written with writer schema Dimensions: /fields/1 reader field 'height' has no default and is missing from the writer record 'Dimensions'",
            error.Message);
    }

    [Fact]
    public void Truncated_data_is_an_encoding_error()
    {
        var codec = new AvroCodec<Everything>(Schema.Parse(EverythingSchema));
        var bytes = codec.Serialize(Sample());
        Assert.Throws<AvroEncodingException>(() => codec.Deserialize(bytes.AsSpan(0, bytes.Length - 3)));
    }

    public sealed record Promoted(double Total, MediaKind Kind, IReadOnlyList<string> Tags);
}
