using System.Buffers.Binary;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>
/// Every way a value can fail to be a Confluent wire-format event, each with its kind and a message that says what is
/// wrong. None of them is retriable (stream processors dead-letter such records), unlike an unreachable registry;
/// none carries a retriable cause, which the stream runtime would retry; none repeats the value's content.
/// </summary>
[Trait("Category", "Stack")]
public sealed class WireFormatTests
{
    public static TheoryData<string> Cases => ["empty", "short header", "magic byte", "unknown id", "truncated body", "header only", "corrupt length"];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_values_fail_with_their_kind_and_a_clear_message_on_both_paths(string @case)
    {
        using var serdes = await SerdeTests.SerdesAsync();
        var topic = TestKafka.NewPrefix("wire") + Topics.Started;
        var valid = await serdes.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(), topic);
        var id = BinaryPrimitives.ReadInt32BigEndian(valid.AsSpan(1, 4));
        var (bytes, kind, expected) = Case(@case, valid, id);
        var deserializer = serdes.Deserializer<TransformationStarted>();

        var async = await Assert.ThrowsAsync<AvroSerdeException>(() => deserializer.DeserializeAsync(bytes, topic));
        var sync = Assert.Throws<AvroSerdeException>(() => deserializer.Deserialize(bytes, isNull: false, new SerializationContext(MessageComponentType.Value, topic)));

        foreach (var e in new[] { async, sync })
        {
            Assert.Equal(kind, e.Kind);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains(topic, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(TestEvents.Secretish, e.Message, StringComparison.Ordinal);
            AssertNoRetriableCause(e);
        }
    }

    [Fact]
    public async Task A_tombstone_is_reported_as_such_not_decoded_to_null()
    {
        using var serdes = await SerdeTests.SerdesAsync();
        var context = new SerializationContext(MessageComponentType.Value, TestKafka.NewPrefix("tombstone") + Topics.Requested);

        var e = await Assert.ThrowsAsync<AvroSerdeException>(() => serdes.Deserializer<TransformationRequested>().DeserializeAsync(ReadOnlyMemory<byte>.Empty, isNull: true, context));

        Assert.Equal(AvroSerdeError.Tombstone, e.Kind);
        Assert.Contains($"A record on {context.Topic} has a null value (a tombstone)", e.Message, StringComparison.Ordinal);
        Assert.Equal(AvroSerdeError.Tombstone, Assert.Throws<AvroSerdeException>(() =>
            serdes.Deserializer<TransformationRequested>().Deserialize(ReadOnlySpan<byte>.Empty, isNull: true, context)).Kind);
    }

    [Fact]
    public async Task An_unreachable_registry_is_not_mistaken_for_a_bad_value()
    {
        using var serdes = await SerdeTests.SerdesAsync();
        var topic = TestKafka.NewPrefix("wire-down") + Topics.Started;
        var valid = await serdes.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(), topic);
        using var down = new EventSerdes(new SchemaRegistryOptions { Url = $"http://127.0.0.1:{LoopbackPorts.Free()}", RequestTimeoutMs = 1000 });

        await Assert.ThrowsAsync<HttpRequestException>(() => down.Deserializer<TransformationStarted>().DeserializeAsync(valid, topic));
        await Assert.ThrowsAsync<HttpRequestException>(() => down.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(), topic));
    }

    [Fact]
    public async Task A_registry_that_refuses_the_credentials_is_waited_out_never_blamed_on_the_value()
    {
        var stack = await SharedStack.GetAsync();
        await using var server = await TestSchemaRegistry.StartServerAsync(stack.Kafka, TestKafka.NewPrefix("wire-auth") + "_schemas", CancellationToken.None,
            o => o.BasicAuthUsers["alice"] = "wonderland");
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = server.Url, BasicAuthUserInfo = "alice:rabbit" });
        var topic = TestKafka.NewPrefix("wire-auth") + Topics.Started;

        // Retriable: a stream processor stops (shown stuck) until the credentials are fixed, rather than dead-letter every record.
        var write = await Assert.ThrowsAsync<SchemaRegistryException>(() => serdes.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(), topic));
        var read = await Assert.ThrowsAsync<SchemaRegistryException>(() =>
            serdes.Deserializer<TransformationStarted>().DeserializeAsync(new byte[] { 0, 0, 0, 0, 1, 2 }, topic));

        foreach (var e in new[] { write, read })
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, e.Status);
            Assert.DoesNotContain("rabbit", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_value_that_cannot_be_encoded_is_refused_before_it_reaches_kafka()
    {
        using var serdes = await SerdeTests.SerdesAsync();
        var topic = TestKafka.NewPrefix("wire-encode") + Topics.Started;

        var e = await Assert.ThrowsAsync<AvroSerdeException>(() => serdes.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(model: null!), topic));

        Assert.Equal(AvroSerdeError.InvalidBody, e.Kind);
        Assert.Contains($"A TransformationStarted cannot be encoded for {topic}-value", e.Message, StringComparison.Ordinal);
        Assert.Contains("model", e.Message, StringComparison.Ordinal);
        AssertNoRetriableCause(e);
    }

    private static void AssertNoRetriableCause(Exception e)
    {
        for (var cause = e.InnerException; cause is not null; cause = cause.InnerException)
        {
            Assert.False(cause is HttpRequestException or TimeoutException, $"{e.GetType().Name} carries a retriable {cause.GetType().Name}");
        }
    }

    private static (byte[] Bytes, AvroSerdeError Kind, string Message) Case(string name, byte[] valid, int id) => name switch
    {
        "empty" => ([], AvroSerdeError.TruncatedHeader, "of 0 bytes is shorter than the Confluent wire-format header"),
        "short header" => ([0, 0, 0], AvroSerdeError.TruncatedHeader, "of 3 bytes is shorter than the Confluent wire-format header"),
        "magic byte" => ([1, .. valid[1..]], AvroSerdeError.UnknownMagicByte, "Unknown magic byte 0x01"),
        "unknown id" => ([0, 0x7F, 0xFF, 0xFF, 0x00, .. valid[5..]], AvroSerdeError.UnknownSchemaId, $"Unknown schema id {0x7FFFFF00}"),
        "truncated body" => (valid[..^4], AvroSerdeError.InvalidBody,
            $"with schema id {id} (io.cinematicswitch.events.TransformationStarted, {valid.Length - 9} bytes) is truncated or corrupt for TransformationStarted"),
        "header only" => (valid[..5], AvroSerdeError.InvalidBody, $"with schema id {id} (io.cinematicswitch.events.TransformationStarted, 0 bytes) is truncated or corrupt"),
        // The uuid's length prefix says -64 bytes.
        "corrupt length" => ([.. valid[..5], 0x7F, .. valid[6..]], AvroSerdeError.InvalidBody, "negative length"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
