using System.Buffers;
using System.Text.Json;
using CinematicSwitch.Avro.Generic;

namespace CinematicSwitch.Avro.Tests;

public sealed record Developer(string Email, string MaintainerOf);

/// <summary>Bytes written or read by other Avro implementations.</summary>
public sealed class InteropTests
{
    /// <summary>
    /// Buildroot's runtime test of the official Apache Avro Python package (support/testing/tests/package/
    /// sample_python_avro.py) decodes these bytes with avro.io.DatumReader into
    /// {'email': 'titouan.christophe@railnova.eu', 'maintainer_of': 'python_avro'}.
    /// </summary>
    private const string DeveloperSchema = """
        {"namespace":"org.buildroot.package.python_avro","type":"record","name":"Developer",
         "fields":[{"name":"email","type":"string"},{"name":"maintainer_of","type":"string"}]}
        """;

    private static readonly byte[] PythonDeveloperBytes = [(byte)'<', .. "titouan.christophe@railnova.eu"u8, 0x16, .. "python_avro"u8];

    [Fact]
    public void Reads_and_writes_the_bytes_of_the_official_Python_implementation()
    {
        var codec = new AvroCodec<Developer>(Schema.Parse(DeveloperSchema));
        var developer = codec.Deserialize(PythonDeveloperBytes);
        Assert.Equal(new Developer("titouan.christophe@railnova.eu", "python_avro"), developer);
        Assert.Equal(PythonDeveloperBytes, codec.Serialize(developer));

        var generic = (GenericRecord)new GenericDatumReader(Schema.Parse(DeveloperSchema)).Read(PythonDeveloperBytes)!;
        Assert.Equal("python_avro", generic["maintainer_of"]);
    }

    [Fact]
    public void Record_example_of_the_specification_round_trips_through_the_typed_codec()
    {
        // The specification: record "test" {a: long = 27, b: string = "foo"} is 36 06 66 6f 6f.
        var codec = new AvroCodec<SpecTest>(Schema.Parse("""{"type":"record","name":"test","fields":[{"name":"a","type":"long"},{"name":"b","type":"string"}]}"""));
        Assert.Equal("3606666F6F", Hex.Of(codec.Serialize(new SpecTest(27, "foo"))));
        Assert.Equal(new SpecTest(27, "foo"), codec.Deserialize(Hex.Bytes("3606666F6F")));
    }

    [Fact]
    public void Typed_serialization_allocates_nothing_and_decoding_allocates_less_than_System_Text_Json()
    {
        var codec = new AvroCodec<Developer>(Schema.Parse(DeveloperSchema));
        var value = new Developer("someone@example.com", "cinematic_switch");
        var output = new ArrayBufferWriter<byte>(1024);
        var json = JsonSerializer.SerializeToUtf8Bytes(value);
        for (var i = 0; i < 3; i++)
        {
            output.ResetWrittenCount();
            codec.Serialize(value, output);
            codec.Deserialize(output.WrittenSpan);
            JsonSerializer.Deserialize<Developer>(json);
        }

        output.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        codec.Serialize(value, output);
        var serializeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        codec.Deserialize(output.WrittenSpan);
        var avroDecodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        JsonSerializer.Deserialize<Developer>(json);
        var jsonDecodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, serializeBytes);
        Assert.True(avroDecodeBytes < jsonDecodeBytes, $"Avro decode allocated {avroDecodeBytes} bytes, System.Text.Json {jsonDecodeBytes}");
    }

    public sealed record SpecTest(long A, string B);
}
