using System.Text.Json;

namespace CinematicSwitch.Avro.Tests;

public sealed class SchemaParsingTests
{
    [Theory]
    [InlineData("null", SchemaType.Null)]
    [InlineData("boolean", SchemaType.Boolean)]
    [InlineData("int", SchemaType.Int)]
    [InlineData("long", SchemaType.Long)]
    [InlineData("float", SchemaType.Float)]
    [InlineData("double", SchemaType.Double)]
    [InlineData("bytes", SchemaType.Bytes)]
    [InlineData("string", SchemaType.String)]
    public void Primitives_parse_as_names_and_as_objects(string name, SchemaType type)
    {
        Assert.Equal(type, Schema.Parse($"\"{name}\"").Type);
        Assert.Equal(type, Schema.Parse($$"""{"type":"{{name}}"}""").Type);
        Assert.Equal($"\"{name}\"", Schema.Parse($$"""{"type":"{{name}}"}""").ToJson());
    }

    [Fact]
    public void Complex_types_parse_with_their_parts()
    {
        var record = (RecordSchema)Schema.Parse("""
            {"type":"record","name":"Everything","namespace":"ns","doc":"all","aliases":["Old"],"fields":[
              {"name":"e","type":{"type":"enum","name":"Suit","symbols":["SPADES","HEARTS"],"default":"SPADES"}},
              {"name":"a","type":{"type":"array","items":"Suit"}},
              {"name":"m","type":{"type":"map","values":["null","long"]}},
              {"name":"f","type":{"type":"fixed","name":"md5","size":16}},
              {"name":"r","type":{"type":"error","name":"Oops","fields":[]}},
              {"name":"o","type":"int","order":"descending","aliases":["old_o"],"doc":"an int"}]}
            """);
        Assert.Equal("ns.Everything", record.FullName);
        Assert.Equal(["ns.Old"], record.Aliases);
        Assert.Equal("all", record.Doc);
        var suit = Assert.IsType<EnumSchema>(record.Fields[0].Schema);
        Assert.Equal("ns.Suit", suit.FullName);
        Assert.Equal("SPADES", suit.Default);
        Assert.Same(suit, ((ArraySchema)record.Fields[1].Schema).Items);
        Assert.Equal(SchemaType.Long, ((UnionSchema)((MapSchema)record.GetField("m")!.Schema).Values).Branches[1].Type);
        Assert.Equal(16, ((FixedSchema)record.GetField("f")!.Schema).Size);
        Assert.True(((RecordSchema)record.GetField("r")!.Schema).IsError);
        var o = record.GetField("o")!;
        Assert.Equal((SortOrder.Descending, "an int", 5), (o.Order, o.Doc, o.Position));
        Assert.Equal(["old_o"], o.Aliases);
    }

    [Fact]
    public void Namespaces_follow_the_specification_rules()
    {
        var record = (RecordSchema)Schema.Parse("""
            {"type":"record","name":"a.b.Outer","namespace":"ignored","fields":[
              {"name":"inner","type":{"type":"record","name":"Inner","fields":[]}},
              {"name":"other","type":{"type":"record","name":"Other","namespace":"x","fields":[
                 {"name":"deep","type":{"type":"fixed","name":"Deep","size":1}}]}},
              {"name":"top","type":{"type":"enum","name":"Top","namespace":"","symbols":["A"]}},
              {"name":"again","type":"Inner"},
              {"name":"qualified","type":"x.Deep"}]}
            """);
        Assert.Equal("a.b.Outer", record.FullName);
        Assert.Equal("a.b.Inner", ((NamedSchema)record.Fields[0].Schema).FullName);
        var other = (RecordSchema)record.Fields[1].Schema;
        Assert.Equal("x.Other", other.FullName);
        Assert.Equal("x.Deep", ((NamedSchema)other.Fields[0].Schema).FullName);
        Assert.Equal("Top", ((NamedSchema)record.Fields[2].Schema).FullName);
        Assert.Same(record.Fields[0].Schema, record.Fields[3].Schema);
        Assert.Same(other.Fields[0].Schema, record.Fields[4].Schema);
    }

    [Theory]
    [InlineData("\"panther\"", "Invalid schema at /: unknown type 'panther'")]
    [InlineData("{\"no_type\":\"x\"}", "Invalid schema at /: schema object has no \"type\" attribute")]
    [InlineData("""{"type":"fixed","name":"F"}""", "Invalid schema at /: missing required attribute \"size\"")]
    [InlineData("""{"type":"fixed","size":3}""", "Invalid schema at /: missing required attribute \"name\"")]
    [InlineData("""{"type":"fixed","name":"F","size":-1}""", "Invalid schema at /size: \"size\" must be a non-negative integer, found the number -1")]
    [InlineData("""{"type":"enum","name":"E","symbols":"A B"}""", "Invalid schema at /symbols: \"symbols\" must be an array of strings, found the string \"A B\"")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","A"]}""", "Invalid schema at /symbols/1: enum 'E' has the symbol 'A' more than once")]
    [InlineData("""{"type":"enum","name":"E","symbols":["1A"]}""", "Invalid schema at /symbols/0: '1A' is not a valid enum symbol (it must match [A-Za-z_][A-Za-z0-9_]*)")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"],"default":"B"}""", "Invalid schema at /default: enum default 'B' is not one of the symbols of 'E'")]
    [InlineData("""["null","null"]""", "Invalid schema at /1: union contains 'null' more than once")]
    [InlineData("""["int",["long"]]""", "Invalid schema at /1: a union may not immediately contain another union")]
    [InlineData("""[{"type":"array","items":"int"},{"type":"array","items":"long"}]""", "Invalid schema at /1: union contains 'array' more than once")]
    [InlineData("""{"type":"record","name":"R","fields":[{"type":"int"}]}""", "Invalid schema at /fields/0: missing required attribute \"name\"")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a"}]}""", "Invalid schema at /fields/0: missing required attribute \"type\"")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}""", "Invalid schema at /fields/1/name: record 'R' has more than one field named 'a'")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}""", "Invalid schema at /fields/0/name: 'a-b' is not a valid field name (it must match [A-Za-z_][A-Za-z0-9_]*)")]
    [InlineData("""{"type":"record","name":["Tom"],"fields":[]}""", "Invalid schema at /name: \"name\" must be a string, found an array")]
    [InlineData("""{"type":"record","name":"int","fields":[]}""", "Invalid schema at /name: 'int' is a primitive type name and cannot be redefined")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"R","size":1}}]}""", "Invalid schema at /fields/0/type/name: the name 'R' is already defined")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]}""", "Invalid schema at /fields/0/order: order 'up' is not one of ascending, descending, ignore")]
    [InlineData("""{"type":"record","name":"R","namespace":"a..b","fields":[]}""", "Invalid schema at /namespace: 'a..b' is not a valid namespace (dot-separated names)")]
    [InlineData("""{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"Missing"}]}""", "Invalid schema at /fields/0/type: unknown type 'Missing' (looked up in namespace 'n' and the null namespace)")]
    public void Invalid_schemas_are_rejected_with_the_location_and_the_rule(string json, string message)
    {
        var error = Assert.Throws<SchemaParseException>(() => Schema.Parse(json));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Invalid_json_is_reported_as_such()
    {
        var error = Assert.Throws<SchemaParseException>(() => Schema.Parse("{\"type\": \"enum\", \"name\": \"Test\" \"symbols\": []}"));
        Assert.StartsWith("Schema is not valid JSON:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"null\"", "null")]
    [InlineData("\"boolean\"", "true")]
    [InlineData("\"int\"", "-5")]
    [InlineData("\"long\"", "9007199254740993")]
    [InlineData("\"float\"", "1.5")]
    [InlineData("\"double\"", "\"NaN\"")]
    [InlineData("\"bytes\"", "\"\\u00ff\\u0000\"")]
    [InlineData("\"string\"", "\"x\"")]
    [InlineData("""{"type":"fixed","name":"F","size":2}""", "\"ab\"")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A","B"]}""", "\"B\"")]
    [InlineData("""{"type":"array","items":"int"}""", "[1,2]")]
    [InlineData("""{"type":"map","values":"int"}""", "{\"a\":1}")]
    [InlineData("""["null","int"]""", "null")]
    [InlineData("""["int","null"]""", "3")]
    [InlineData("""{"type":"record","name":"In","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":2}]}""", "{\"x\":1}")]
    public void Valid_defaults_are_accepted(string type, string defaultJson)
    {
        var record = (RecordSchema)Schema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}""");
        Assert.True(record.Fields[0].HasDefault);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(defaultJson).RootElement, record.Fields[0].DefaultValue!.Value));
    }

    [Theory]
    [InlineData("\"int\"", "\"5\"", "default the string \"5\" is not a valid 'int' value")]
    [InlineData("\"int\"", "3000000000", "default the number 3000000000 is not a valid 'int' value")]
    [InlineData("\"boolean\"", "\"true\"", "default the string \"true\" is not a valid 'boolean' value")]
    [InlineData("\"string\"", "null", "default null is not a valid 'string' value")]
    [InlineData("\"bytes\"", "\"\\u0100\"", "default for 'bytes' has the character U+0100, but bytes and fixed defaults may only use U+0000 to U+00FF")]
    [InlineData("""{"type":"fixed","name":"F","size":2}""", "\"abc\"", "default for fixed 'F' has 3 bytes, the size is 2")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"]}""", "\"Z\"", "default the string \"Z\" is not a symbol of enum 'E'")]
    [InlineData("""["null","int"]""", "1", "default the number 1 is not a valid 'null' value")]
    [InlineData("""{"type":"array","items":"int"}""", "[1,\"2\"]", "default the string \"2\" is not a valid 'int' value")]
    [InlineData("""{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}""", "{}", "default for record 'In' has no value for field 'x', which has no default")]
    public void Invalid_defaults_are_rejected_against_their_type(string type, string defaultJson, string message)
    {
        var error = Assert.Throws<SchemaParseException>(() =>
            Schema.Parse($$"""{"type":"record","name":"R","fields":[{"name":"f","type":{{type}},"default":{{defaultJson}}}]}"""));
        Assert.EndsWith(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Invalid schema at /fields/0/default", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"string","logicalType":"uuid"}""", "uuid")]
    [InlineData("""{"type":"int","logicalType":"date"}""", "date")]
    [InlineData("""{"type":"int","logicalType":"time-millis"}""", "time-millis")]
    [InlineData("""{"type":"long","logicalType":"time-micros"}""", "time-micros")]
    [InlineData("""{"type":"long","logicalType":"timestamp-millis"}""", "timestamp-millis")]
    [InlineData("""{"type":"long","logicalType":"timestamp-micros"}""", "timestamp-micros")]
    [InlineData("""{"type":"long","logicalType":"local-timestamp-millis"}""", "local-timestamp-millis")]
    [InlineData("""{"type":"long","logicalType":"local-timestamp-micros"}""", "local-timestamp-micros")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}""", "decimal")]
    [InlineData("""{"type":"fixed","name":"D","size":16,"logicalType":"decimal","precision":38}""", "decimal")]
    [InlineData("""{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}""", "duration")]
    public void Logical_types_apply_to_their_underlying_types(string json, string logicalType)
    {
        var schema = Schema.Parse(json);
        Assert.Equal(logicalType, schema.LogicalType);
        Assert.Empty(schema.Properties);
        Assert.Equal(Schema.Parse(json).ToJson(), Schema.Parse(schema.ToJson()).ToJson());
    }

    [Theory]
    [InlineData("""{"type":"int","logicalType":"uuid"}""")]
    [InlineData("""{"type":"long","logicalType":"date"}""")]
    [InlineData("""{"type":"int","logicalType":"timestamp-millis"}""")]
    [InlineData("""{"type":"fixed","name":"Dur","size":8,"logicalType":"duration"}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":0}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","scale":2}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}""")]
    [InlineData("""{"type":"bytes","logicalType":"decimal","precision":4,"scale":-1}""")]
    [InlineData("""{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":5}""")]
    [InlineData("""{"type":"string","logicalType":"made-up"}""")]
    public void Invalid_or_unknown_logical_types_fall_back_to_the_underlying_type_and_are_kept(string json)
    {
        var schema = Schema.Parse(json);
        Assert.Null(schema.LogicalType);
        Assert.True(schema.Properties.ContainsKey("logicalType"));
        Assert.Contains("\"logicalType\"", schema.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decimal_keeps_precision_and_scale_and_fixed_precision_is_bounded_by_size()
    {
        var bytesDecimal = Schema.Parse("""{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}""");
        Assert.Equal((9, 2), (bytesDecimal.DecimalPrecision, bytesDecimal.DecimalScale));
        Assert.Equal("decimal", Schema.Parse("""{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":4}""").LogicalType);
        Assert.Null(Schema.Parse("""{"type":"fixed","name":"D","size":2,"logicalType":"decimal","precision":5}""").LogicalType);
    }

    [Fact]
    public void Full_json_keeps_docs_defaults_aliases_order_logical_types_and_other_properties()
    {
        const string json = """
            {"type":"record","name":"Event","namespace":"cinematic.v1","doc":"An event","aliases":["OldEvent"],"fields":[
              {"name":"id","type":{"type":"string","logicalType":"uuid"},"doc":"idempotency key","cp_field":{"a":1}},
              {"name":"at","type":{"type":"long","logicalType":"timestamp-millis","cp_x":true}},
              {"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"],"default":"A","doc":"k"},"default":"B","order":"ignore","aliases":["type"]},
              {"name":"size","type":{"type":"fixed","name":"Hash","namespace":"other","size":4}},
              {"name":"again","type":"other.Hash"},
              {"name":"tags","type":{"type":"map","values":"string","cp_boolean":true},"default":{}},
              {"name":"note","type":["null","string"],"default":null}],
             "cp_string":"string","cp_array":[1,2]}
            """;
        var schema = Schema.Parse(json);
        var written = schema.ToJson();
        Assert.Equal(
            """{"type":"record","name":"Event","namespace":"cinematic.v1","doc":"An event","aliases":["cinematic.v1.OldEvent"],"fields":[{"name":"id","type":{"type":"string","logicalType":"uuid"},"doc":"idempotency key","cp_field":{"a":1}},{"name":"at","type":{"type":"long","logicalType":"timestamp-millis","cp_x":true}},{"name":"kind","type":{"type":"enum","name":"Kind","doc":"k","symbols":["A","B"],"default":"A"},"default":"B","order":"ignore","aliases":["type"]},{"name":"size","type":{"type":"fixed","name":"Hash","namespace":"other","size":4}},{"name":"again","type":"other.Hash"},{"name":"tags","type":{"type":"map","values":"string","cp_boolean":true},"default":{}},{"name":"note","type":["null","string"],"default":null}],"cp_string":"string","cp_array":[1,2]}""",
            written);
        var reparsed = Schema.Parse(written);
        Assert.Equal(written, reparsed.ToJson());
        Assert.Equal(schema.ToCanonicalForm(), reparsed.ToCanonicalForm());
    }

    [Fact]
    public void Canonical_form_strips_everything_but_parsing_attributes_and_writes_names_once()
    {
        var schema = Schema.Parse("""
            {"type":"record","name":"R","namespace":"n","doc":"d","fields":[
              {"name":"a","type":{"type":"fixed","name":"F","size":0015,"logicalType":"x"},"default":"\u0041\u0042\u0043\u0044\u0045\u0046\u0047\u0048\u0049\u004a\u004b\u004c\u004d\u004e\u004f"},
              {"name":"b","type":"F"},
              {"name":"c","type":{"type":"long","logicalType":"timestamp-millis"}}]}
            """.Replace("0015", "15", StringComparison.Ordinal));
        Assert.Equal("""{"name":"n.R","type":"record","fields":[{"name":"a","type":{"name":"n.F","type":"fixed","size":15}},{"name":"b","type":"n.F"},{"name":"c","type":"long"}]}""",
            schema.ToCanonicalForm());
    }

    [Fact]
    public void An_error_type_is_a_record_in_canonical_form_and_an_error_in_full_json()
    {
        var schema = Schema.Parse("""{"type":"error","name":"Oops","fields":[]}""");
        Assert.Equal("""{"name":"Oops","type":"record","fields":[]}""", schema.ToCanonicalForm());
        Assert.Equal("""{"type":"error","name":"Oops","fields":[]}""", schema.ToJson());
    }

    [Fact]
    public void Sha256_and_md5_fingerprints_hash_the_canonical_form()
    {
        var schema = Schema.Parse("{\"type\":\"int\"}");
        Assert.Equal(System.Security.Cryptography.SHA256.HashData("\"int\""u8), schema.FingerprintSha256());
        Assert.Equal(16, schema.FingerprintMd5().Length);
        Assert.Equal(SchemaFingerprint.Rabin64("\"int\""u8), schema.Fingerprint64());
    }
}
