using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>
/// Every way a value can fail to be a Confluent wire-format Avro value, each with its kind and a message that says
/// what is wrong. None of them is retriable (stream processors dead-letter such records), unlike an unreachable registry.
/// </summary>
public sealed class WireFormatTests
{
    private static readonly PersonV1 Ada = new(Guid.Parse("0b7e3f7a-5d0c-4f43-9a1e-2f3c4d5e6f70"), "Ada Lovelace");

    public static TheoryData<string> Cases => ["empty", "short header", "magic byte", "unknown id", "truncated body", "header only", "corrupt length"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_values_fail_with_their_kind_and_a_clear_message_on_both_paths(string @case)
    {
        var (factory, _) = await SerdeTests.FactoryAsync();
        var topic = TestKafka.NewPrefix("wire") + "people";
        var valid = await factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic);
        var id = BinaryPrimitives.ReadInt32BigEndian(valid.AsSpan(1, 4));
        var (bytes, kind, expected) = Case(@case, valid, id);
        var deserializer = factory.CreateDeserializer<PersonV1>(TestSchemas.V1);

        var async = await Assert.ThrowsAsync<AvroSerdeException>(() => deserializer.DeserializeAsync(bytes, topic).AsTask());
        var sync = Assert.Throws<AvroSerdeException>(() => deserializer.Deserialize(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic)));

        foreach (var e in new[] { async, sync })
        {
            Assert.Equal(kind, e.Kind);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains(topic, e.Message, StringComparison.Ordinal);
            // The value's content (the name) never reaches the message.
            Assert.DoesNotContain("Lovelace", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_unreachable_registry_is_not_mistaken_for_a_bad_value()
    {
        var (factory, _) = await SerdeTests.FactoryAsync();
        var topic = TestKafka.NewPrefix("wire-down") + "people";
        var valid = await factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new SchemaRegistryOptions { Url = $"http://127.0.0.1:{port}" };
        var down = new AvroSerdeFactory(new SchemaRegistryClient(options), options);

        await Assert.ThrowsAsync<HttpRequestException>(() => down.CreateDeserializer<PersonV1>(TestSchemas.V1).DeserializeAsync(valid, topic).AsTask());
        await Assert.ThrowsAsync<HttpRequestException>(() => down.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic).AsTask());
    }

    [Fact]
    public async Task A_value_that_cannot_be_encoded_is_refused_before_it_reaches_kafka()
    {
        var (factory, _) = await SerdeTests.FactoryAsync();
        var topic = TestKafka.NewPrefix("wire-encode") + "people";

        var e = await Assert.ThrowsAsync<AvroSerdeException>(() =>
            factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(new PersonV1(Guid.NewGuid(), null!), topic).AsTask());

        Assert.Equal(AvroSerdeError.InvalidBody, e.Kind);
        Assert.Contains("Person.name is null", e.Message, StringComparison.Ordinal);
    }

    private static (byte[] Bytes, AvroSerdeError Kind, string Message) Case(string name, byte[] valid, int id) => name switch
    {
        "empty" => ([], AvroSerdeError.TruncatedHeader, "A value on"),
        "short header" => ([0, 0, 0], AvroSerdeError.TruncatedHeader, "of 3 bytes is shorter than the Confluent wire-format header"),
        "magic byte" => ([1, .. valid[1..]], AvroSerdeError.UnknownMagicByte, "Unknown magic byte 0x01"),
        "unknown id" => ([0, 0x7F, 0xFF, 0xFF, 0x00, .. valid[5..]], AvroSerdeError.UnknownSchemaId, $"Unknown schema id {0x7FFFFF00}"),
        "truncated body" => (valid[..^4], AvroSerdeError.InvalidBody, $"with schema id {id} (test.people.Person, {valid.Length - 9} bytes) is truncated or corrupt"),
        "header only" => (valid[..5], AvroSerdeError.InvalidBody, "Invalid Avro binary data: unexpected end of data at offset 0"),
        // The uuid's length prefix says -64 bytes.
        "corrupt length" => ([.. valid[..5], 0x7F, .. valid[6..]], AvroSerdeError.InvalidBody, "length -64 is out of range"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
