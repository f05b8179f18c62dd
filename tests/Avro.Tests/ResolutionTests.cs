using CinematicSwitch.Avro.Generic;

namespace CinematicSwitch.Avro.Tests;

/// <summary>One test per schema resolution rule of the specification: its success, and its error.</summary>
public sealed class ResolutionTests
{
    private static object? Resolve(string writerJson, object? datum, string readerJson)
    {
        var writer = Schema.Parse(writerJson);
        var bytes = GenericDatumWriter.Serialize(writer, datum);
        return new GenericDatumReader(Schema.Parse(readerJson), writer).Read(bytes);
    }

    private static string Incompatible(string readerJson, string writerJson)
    {
        var result = SchemaCompatibility.CanRead(Schema.Parse(readerJson), Schema.Parse(writerJson));
        Assert.False(result.IsCompatible);
        return Assert.Single(result.Messages);
    }

    [Theory]
    [InlineData("\"int\"", 7, "\"long\"", 7L)]
    [InlineData("\"int\"", 7, "\"float\"", 7f)]
    [InlineData("\"int\"", 7, "\"double\"", 7d)]
    [InlineData("\"long\"", 7L, "\"float\"", 7f)]
    [InlineData("\"long\"", 7L, "\"double\"", 7d)]
    [InlineData("\"float\"", 1.5f, "\"double\"", 1.5d)]
    [InlineData("\"string\"", "hé", "\"string\"", "hé")]
    public void Primitives_are_read_as_themselves_or_promoted(string writer, object datum, string reader, object expected)
    {
        Assert.True(SchemaCompatibility.CanRead(Schema.Parse(reader), Schema.Parse(writer)).IsCompatible);
        Assert.Equal(expected, Resolve(writer, datum, reader));
    }

    [Fact]
    public void String_and_bytes_promote_to_each_other_as_utf8()
    {
        Assert.Equal("hé"u8.ToArray(), Resolve("\"string\"", "hé", "\"bytes\""));
        Assert.Equal("hé", Resolve("\"bytes\"", "hé"u8.ToArray(), "\"string\""));
    }

    [Theory]
    [InlineData("\"int\"", "\"long\"")]
    [InlineData("\"float\"", "\"double\"")]
    [InlineData("\"long\"", "\"double\"")]
    [InlineData("\"int\"", "\"string\"")]
    [InlineData("\"boolean\"", "\"int\"")]
    [InlineData("\"null\"", "\"int\"")]
    public void Other_primitive_pairs_do_not_match(string reader, string writer)
    {
        var message = Incompatible(reader, writer);
        Assert.Equal($"/ reader type '{reader.Trim('"')}' cannot read writer type '{writer.Trim('"')}'", message);
        Assert.Throws<AvroResolutionException>(() => new GenericDatumReader(Schema.Parse(reader), Schema.Parse(writer)));
    }

    [Fact]
    public void Records_match_by_unqualified_name_and_fields_by_name_in_any_order()
    {
        const string writer = """{"type":"record","name":"w.R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}""";
        var datum = new GenericRecord((RecordSchema)Schema.Parse(writer)) { ["a"] = 1, ["b"] = "x" };
        var read = (GenericRecord)Resolve(writer, datum,
            """{"type":"record","name":"r.R","fields":[{"name":"b","type":"string"},{"name":"a","type":"long"}]}""")!;
        Assert.Equal(("x", 1L), (read["b"], read["a"]));
    }

    [Fact]
    public void Records_with_different_names_do_not_match()
    {
        var message = Incompatible("""{"type":"record","name":"A","fields":[]}""", """{"type":"record","name":"B","fields":[]}""");
        Assert.Equal("/name reader record name 'A' does not match writer name 'B' (no reader alias names it)", message);
    }

    [Fact]
    public void Reader_aliases_match_a_renamed_record()
    {
        const string writer = """{"type":"record","name":"old.Name","fields":[{"name":"a","type":"int"}]}""";
        var datum = new GenericRecord((RecordSchema)Schema.Parse(writer)) { ["a"] = 4 };
        var read = (GenericRecord)Resolve(writer, datum,
            """{"type":"record","name":"New","aliases":["old.Name"],"fields":[{"name":"a","type":"int"}]}""")!;
        Assert.Equal(4, read["a"]);
    }

    [Fact]
    public void Reader_field_aliases_match_a_renamed_field()
    {
        const string writer = """{"type":"record","name":"R","fields":[{"name":"old","type":"int"}]}""";
        var datum = new GenericRecord((RecordSchema)Schema.Parse(writer)) { ["old"] = 9 };
        var read = (GenericRecord)Resolve(writer, datum,
            """{"type":"record","name":"R","fields":[{"name":"renamed","aliases":["old"],"type":"int"}]}""")!;
        Assert.Equal(9, read["renamed"]);
    }

    [Fact]
    public void Writer_fields_the_reader_lacks_are_skipped()
    {
        const string writer = """{"type":"record","name":"R","fields":[{"name":"gone","type":{"type":"array","items":"string"}},{"name":"kept","type":"int"}]}""";
        var datum = new GenericRecord((RecordSchema)Schema.Parse(writer)) { ["gone"] = new List<object?> { "a", "b" }, ["kept"] = 3 };
        var read = (GenericRecord)Resolve(writer, datum, """{"type":"record","name":"R","fields":[{"name":"kept","type":"int"}]}""")!;
        Assert.Equal(3, read["kept"]);
    }

    [Fact]
    public void Reader_fields_the_writer_lacks_take_their_defaults()
    {
        const string writer = """{"type":"record","name":"R","fields":[]}""";
        var read = (GenericRecord)Resolve(writer, new GenericRecord((RecordSchema)Schema.Parse(writer)), """
            {"type":"record","name":"R","fields":[
              {"name":"n","type":"int","default":42},
              {"name":"o","type":["null","string"],"default":null},
              {"name":"l","type":{"type":"array","items":"long"},"default":[1,2]},
              {"name":"r","type":{"type":"record","name":"In","fields":[{"name":"x","type":"string","default":"d"}]},"default":{}}]}
            """)!;
        Assert.Equal(42, read["n"]);
        Assert.Null(read["o"]);
        Assert.Equal(new List<object?> { 1L, 2L }, read["l"]);
        Assert.Equal("d", ((GenericRecord)read["r"]!)["x"]);
    }

    [Fact]
    public void Reader_fields_without_default_missing_from_the_writer_are_an_error()
    {
        var message = Incompatible(
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"x","type":"int"}]}""",
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        Assert.Equal("/fields/1 reader field 'x' has no default and is missing from the writer record 'R'", message);
    }

    [Fact]
    public void Enums_resolve_symbols_by_name()
    {
        const string writer = """{"type":"enum","name":"E","symbols":["A","B"]}""";
        var read = (GenericEnum)Resolve(writer, "B", """{"type":"enum","name":"E","symbols":["B","C","A"]}""")!;
        Assert.Equal(("B", 0), (read.Symbol, read.Ordinal));
    }

    [Fact]
    public void Unknown_enum_symbols_take_the_reader_default()
    {
        const string writer = """{"type":"enum","name":"E","symbols":["A","NEW"]}""";
        const string reader = """{"type":"enum","name":"E","symbols":["UNKNOWN","A"],"default":"UNKNOWN"}""";
        Assert.True(SchemaCompatibility.CanRead(Schema.Parse(reader), Schema.Parse(writer)).IsCompatible);
        Assert.Equal("UNKNOWN", ((GenericEnum)Resolve(writer, "NEW", reader)!).Symbol);
    }

    [Fact]
    public void Unknown_enum_symbols_without_a_reader_default_fail_when_read()
    {
        const string writer = """{"type":"enum","name":"E","symbols":["A","NEW"]}""";
        const string reader = """{"type":"enum","name":"E","symbols":["A"]}""";
        Assert.Equal("/symbols writer enum 'E' has symbols [NEW] that reader enum 'E' lacks, and the reader has no default symbol",
            Incompatible(reader, writer));
        Assert.Equal("A", ((GenericEnum)Resolve(writer, "A", reader)!).Symbol);
        var error = Assert.Throws<AvroResolutionException>(() => Resolve(writer, "NEW", reader));
        Assert.Equal("writer symbol 'NEW' is not a symbol of reader enum 'E', which has no default", error.Message);
    }

    [Fact]
    public void Arrays_resolve_their_items()
    {
        Assert.Equal(new List<object?> { 1L }, Resolve("""{"type":"array","items":"int"}""", new List<object?> { 1 }, """{"type":"array","items":"long"}"""));
        Assert.Equal("/items reader type 'int' cannot read writer type 'string'",
            Incompatible("""{"type":"array","items":"int"}""", """{"type":"array","items":"string"}"""));
    }

    [Fact]
    public void Maps_resolve_their_values()
    {
        var read = (Dictionary<string, object?>)Resolve("""{"type":"map","values":"float"}""", new Dictionary<string, object?> { ["k"] = 2f },
            """{"type":"map","values":"double"}""")!;
        Assert.Equal(2d, read["k"]);
        Assert.Equal("/values reader type 'float' cannot read writer type 'double'",
            Incompatible("""{"type":"map","values":"float"}""", """{"type":"map","values":"double"}"""));
    }

    [Fact]
    public void Fixed_needs_the_same_name_and_size()
    {
        const string writer = """{"type":"fixed","name":"F","size":2}""";
        var read = (GenericFixed)Resolve(writer, new byte[] { 1, 2 }, """{"type":"fixed","name":"F","size":2}""")!;
        Assert.Equal(new byte[] { 1, 2 }, read.Value);
        Assert.Equal("/size reader fixed 'F' has size 3 but the writer's has size 2", Incompatible("""{"type":"fixed","name":"F","size":3}""", writer));
        Assert.Equal("/name reader fixed name 'G' does not match writer name 'F' (no reader alias names it)",
            Incompatible("""{"type":"fixed","name":"G","size":2}""", writer));
    }

    [Fact]
    public void Both_unions_resolve_the_writer_branch_against_the_first_matching_reader_branch()
    {
        Assert.Equal(5L, Resolve("""["null","int"]""", 5, """["null","string","long"]"""));
        Assert.Null(Resolve("""["null","int"]""", null, """["long","null"]"""));
    }

    [Fact]
    public void A_writer_union_branch_the_reader_union_lacks_fails_only_for_that_branch()
    {
        const string writer = """["null","int","boolean"]""";
        const string reader = """["null","int"]""";
        Assert.Equal("/ reader union [null, int] has no branch that can read writer type 'boolean' (writer union branch 2)", Incompatible(reader, writer));
        Assert.Equal(3, Resolve(writer, 3, reader));
        var error = Assert.Throws<AvroResolutionException>(() => Resolve(writer, true, reader));
        Assert.Contains("(writer union branch 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reader_union_takes_a_non_union_writer_in_its_first_matching_branch()
    {
        Assert.Equal("x", Resolve("\"string\"", "x", """["null","string"]"""));
        Assert.Equal(2d, Resolve("\"int\"", 2, """["null","double"]"""));
        Assert.Equal("/ reader union [null, string] has no branch that can read writer type 'int'", Incompatible("""["null","string"]""", "\"int\""));
    }

    [Fact]
    public void An_exact_reader_branch_wins_over_an_earlier_promotion()
    {
        Assert.Equal(7, Resolve("\"int\"", 7, """["long","int"]"""));
        Assert.Equal(7L, Resolve("\"int\"", 7, """["long","string"]"""));
    }

    [Fact]
    public void A_writer_union_is_read_by_a_non_union_reader_branch_by_branch()
    {
        Assert.Equal("s", Resolve("""["null","string"]""", "s", "\"string\""));
        Assert.Equal("/ reader type 'string' cannot read writer type 'null' (writer union branch 0)", Incompatible("\"string\"", """["null","string"]"""));
        Assert.Throws<AvroResolutionException>(() => Resolve("""["null","string"]""", null, "\"string\""));
    }

    [Fact]
    public void Recursive_records_resolve()
    {
        const string writer = """{"type":"record","name":"Node","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","Node"]}]}""";
        const string reader = """{"type":"record","name":"Node","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","Node"]}]}""";
        var schema = (RecordSchema)Schema.Parse(writer);
        var list = new GenericRecord(schema) { ["v"] = 1, ["next"] = new GenericRecord(schema) { ["v"] = 2, ["next"] = null } };
        var read = (GenericRecord)Resolve(writer, list, reader)!;
        Assert.Equal(2L, ((GenericRecord)read["next"]!)["v"]);
    }

    [Fact]
    public void Nested_errors_name_their_location_in_the_reader_schema()
    {
        var message = Incompatible(
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"m","type":{"type":"map","values":{"type":"array","items":["null","int"]}}}]}""",
            """{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"m","type":{"type":"map","values":{"type":"array","items":"string"}}}]}""");
        Assert.Equal("/fields/1/type/values/items reader union [null, int] has no branch that can read writer type 'string'", message);
    }
}
