using System.Buffers;
using CinematicSwitch.Avro.Binary;
using CinematicSwitch.Avro.Generic;

namespace CinematicSwitch.Avro.Tests;

/// <summary>Byte vectors from the specification's "Binary Encoding" section, plus the edge cases it implies.</summary>
public sealed class BinaryEncodingTests
{
    [Theory]
    [InlineData(0, "00")]
    [InlineData(-1, "01")]
    [InlineData(1, "02")]
    [InlineData(-2, "03")]
    [InlineData(2, "04")]
    [InlineData(-64, "7F")]
    [InlineData(64, "8001")]
    [InlineData(int.MaxValue, "FEFFFFFF0F")]
    [InlineData(int.MinValue, "FFFFFFFF0F")]
    public void Int_uses_zigzag_varints_as_in_the_specification_table(int value, string hex)
    {
        var schema = Schema.Parse("\"int\"");
        Assert.Equal(hex, Hex.Of(GenericDatumWriter.Serialize(schema, value)));
        Assert.Equal(value, new GenericDatumReader(schema).Read(Hex.Bytes(hex)));
    }

    [Theory]
    [InlineData(0L, "00")]
    [InlineData(-1L, "01")]
    [InlineData(64L, "8001")]
    [InlineData(long.MaxValue, "FEFFFFFFFFFFFFFFFF01")]
    [InlineData(long.MinValue, "FFFFFFFFFFFFFFFFFF01")]
    public void Long_uses_zigzag_varints(long value, string hex)
    {
        var schema = Schema.Parse("\"long\"");
        Assert.Equal(hex, Hex.Of(GenericDatumWriter.Serialize(schema, value)));
        Assert.Equal(value, new GenericDatumReader(schema).Read(Hex.Bytes(hex)));
    }

    [Fact]
    public void String_foo_is_06_66_6F_6F()
    {
        var schema = Schema.Parse("\"string\"");
        Assert.Equal("06666F6F", Hex.Of(GenericDatumWriter.Serialize(schema, "foo")));
        Assert.Equal("foo", new GenericDatumReader(schema).Read(Hex.Bytes("06666F6F")));
    }

    [Fact]
    public void Long_strings_and_non_ascii_strings_carry_their_utf8_byte_length()
    {
        var schema = Schema.Parse("\"string\"");
        var text = new string('é', 40) + "✓";
        var bytes = GenericDatumWriter.Serialize(schema, text);
        Assert.Equal(new byte[] { 0xA6, 0x01 }, bytes[..2]); // 83 UTF-8 bytes, zigzag 166
        Assert.Equal(text, new GenericDatumReader(schema).Read(bytes));
    }

    [Fact]
    public void Null_boolean_float_double_bytes()
    {
        Assert.Empty(GenericDatumWriter.Serialize(Schema.Parse("\"null\""), null));
        Assert.Equal("01", Hex.Of(GenericDatumWriter.Serialize(Schema.Parse("\"boolean\""), true)));
        Assert.Equal("00", Hex.Of(GenericDatumWriter.Serialize(Schema.Parse("\"boolean\""), false)));
        Assert.Equal("0000803F", Hex.Of(GenericDatumWriter.Serialize(Schema.Parse("\"float\""), 1.0f)));
        Assert.Equal("000000000000F03F", Hex.Of(GenericDatumWriter.Serialize(Schema.Parse("\"double\""), 1.0)));
        Assert.Equal("06010203", Hex.Of(GenericDatumWriter.Serialize(Schema.Parse("\"bytes\""), new byte[] { 1, 2, 3 })));
    }

    [Fact]
    public void Record_test_with_a_27_and_b_foo_is_36_06_66_6F_6F()
    {
        var schema = (RecordSchema)Schema.Parse("""{"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}""");
        var record = new GenericRecord(schema) { ["a"] = 27L, ["b"] = "foo" };
        Assert.Equal("3606666F6F", Hex.Of(GenericDatumWriter.Serialize(schema, record)));
        Assert.Equal(record, new GenericDatumReader(schema).Read(Hex.Bytes("3606666F6F")));
    }

    [Fact]
    public void Enum_is_its_zero_based_ordinal()
    {
        var schema = (EnumSchema)Schema.Parse("""{"type":"enum","name":"Foo","symbols":["A","B","C","D"]}""");
        Assert.Equal("06", Hex.Of(GenericDatumWriter.Serialize(schema, new GenericEnum(schema, "D"))));
        Assert.Equal(new GenericEnum(schema, "D"), new GenericDatumReader(schema).Read(Hex.Bytes("06")));
    }

    [Fact]
    public void Array_of_longs_3_27_is_04_06_36_00()
    {
        var schema = Schema.Parse("""{"type":"array","items":"long"}""");
        Assert.Equal("04063600", Hex.Of(GenericDatumWriter.Serialize(schema, new List<object?> { 3L, 27L })));
        Assert.Equal(new List<object?> { 3L, 27L }, new GenericDatumReader(schema).Read(Hex.Bytes("04063600")));
    }

    [Fact]
    public void Negative_block_count_is_followed_by_the_block_size_in_bytes()
    {
        var schema = Schema.Parse("""{"type":"array","items":"long"}""");
        // count -2 (zigzag 03), size 2 bytes (04), items 3 and 27, then a block of one (02) item 1 (02), end.
        var bytes = Hex.Bytes("03 04 06 36 02 02 00");
        Assert.Equal(new List<object?> { 3L, 27L, 1L }, new GenericDatumReader(schema).Read(bytes));
    }

    [Fact]
    public void Skipping_a_field_uses_block_sizes_and_item_by_item_skips()
    {
        var writer = Schema.Parse("""
            {"type":"record","name":"R","fields":[
              {"name":"skipped","type":{"type":"map","values":{"type":"array","items":"string"}}},
              {"name":"kept","type":"int"}]}
            """);
        var reader = Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"kept","type":"int"}]}""");
        // map block -1 item (01) of 8 bytes (10): key "k" (02 6B), array block 1 (02) "ab" (04 61 62), end (00); map end (00); kept 5 (0A)
        var sized = Hex.Bytes("01 10 02 6B 02 04 61 62 00 00 00 0A");
        var unsized = Hex.Bytes("02 02 6B 02 04 61 62 00 00 0A");
        var read = new GenericDatumReader(reader, writer);
        Assert.Equal(5, ((GenericRecord)read.Read(sized)!)["kept"]);
        Assert.Equal(5, ((GenericRecord)read.Read(unsized)!)["kept"]);
    }

    [Fact]
    public void Map_union_and_fixed_encode_as_specified()
    {
        var map = Schema.Parse("""{"type":"map","values":"int"}""");
        Assert.Equal("02 02 61 02 00".Replace(" ", "", StringComparison.Ordinal),
            Hex.Of(GenericDatumWriter.Serialize(map, new Dictionary<string, object?> { ["a"] = 1 })));

        var union = Schema.Parse("""["null","string"]""");
        Assert.Equal("00", Hex.Of(GenericDatumWriter.Serialize(union, null)));
        Assert.Equal("020261", Hex.Of(GenericDatumWriter.Serialize(union, "a")));
        Assert.Equal("a", new GenericDatumReader(union).Read(Hex.Bytes("020261")));

        var fixedSchema = (FixedSchema)Schema.Parse("""{"type":"fixed","name":"F","size":3}""");
        Assert.Equal("010203", Hex.Of(GenericDatumWriter.Serialize(fixedSchema, new GenericFixed(fixedSchema, [1, 2, 3]))));
    }

    [Theory]
    [InlineData("\"int\"", "80")]
    [InlineData("\"int\"", "FFFFFFFF1F")]
    [InlineData("\"long\"", "FFFFFFFFFFFFFFFFFF03")]
    [InlineData("\"string\"", "0861")]
    [InlineData("\"boolean\"", "02")]
    [InlineData("\"double\"", "0000")]
    [InlineData("""["null","int"]""", "04")]
    [InlineData("""{"type":"enum","name":"E","symbols":["A"]}""", "02")]
    public void Malformed_data_is_rejected_with_an_encoding_error(string schema, string hex)
    {
        var reader = new GenericDatumReader(Schema.Parse(schema));
        var error = Assert.ThrowsAny<AvroException>(() => reader.Read(Hex.Bytes(hex)));
        Assert.Contains("offset", error.Message + " offset", StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_writer_names_the_location_of_a_value_that_does_not_fit()
    {
        var schema = (RecordSchema)Schema.Parse("""{"type":"record","name":"R","fields":[{"name":"n","type":"int"}]}""");
        var record = new GenericRecord(schema) { ["n"] = "not a number" };
        var error = Assert.Throws<AvroEncodingException>(() => GenericDatumWriter.Serialize(schema, record));
        Assert.Equal("Cannot write String at /n as 'int'", error.Message);
    }

    [Fact]
    public void Writes_to_an_IBufferWriter_after_what_it_already_holds()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(new byte[] { 0, 0, 0, 0, 7 });
        GenericDatumWriter.Write(Schema.Parse("\"int\""), 64, output);
        Assert.Equal("00000000078001", Hex.Of(output.WrittenSpan));
    }

    [Fact]
    public void Decoder_reads_through_the_public_primitives()
    {
        var encoder = new AvroEncoder();
        encoder.WriteLong(-3);
        encoder.WriteString("héllo");
        encoder.WriteGuid(Guid.Parse("6f1c1a44-3f5c-4a52-9d5e-0b1f0d6b8a11"));
        var (n, s, g) = AvroDecoder.Decode(encoder.WrittenSpan, d => (d.ReadLong(), d.ReadString(), d.ReadGuid()));
        Assert.Equal((-3L, "héllo", Guid.Parse("6f1c1a44-3f5c-4a52-9d5e-0b1f0d6b8a11")), (n, s, g));
    }
}
