using System.Buffers.Binary;
using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>Serializers and deserializers against the test registry over HTTP.</summary>
public sealed class SerdeTests
{
    private static readonly PersonV1 Ada = new(Guid.Parse("6f1c2d3e-4a5b-4c6d-8e7f-901234567890"), "Ada Lovelace");

    [Fact]
    public async Task Values_carry_the_magic_byte_and_the_registered_id_before_the_avro_body()
    {
        var (factory, client) = await FactoryAsync();
        var topic = TestKafka.NewPrefix("serde") + "people";
        var serializer = factory.CreateSerializer<PersonV1>(TestSchemas.V1);
        var deserializer = factory.CreateDeserializer<PersonV1>(TestSchemas.V1);

        var bytes = await serializer.SerializeAsync(Ada, topic);

        Assert.Equal(WireFormat.MagicByte, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4));
        Assert.Equal((await client.GetLatestSchemaAsync(topic + "-value")).Id, id);
        Assert.Equal(new AvroCodec<PersonV1>(TestSchemas.V1).Serialize(Ada), bytes[WireFormat.HeaderSize..]);

        var context = new SerializationContext(MessageComponentType.Value, topic);
        Assert.Equal(bytes, serializer.Serialize(Ada, context));
        Assert.Equal(bytes, await ((IAsyncSerializer<PersonV1>)serializer).SerializeAsync(Ada, context));
        Assert.Equal(Ada, await deserializer.DeserializeAsync(bytes, topic));
        Assert.Equal(Ada, deserializer.Deserialize(bytes, isNull: false, context));
        Assert.Equal(Ada, await ((IAsyncDeserializer<PersonV1>)deserializer).DeserializeAsync(bytes, isNull: false, context));

        // Tombstones stay null both ways; keys go to the "-key" subject.
        Assert.Null(serializer.Serialize(null!, context));
        Assert.Null(deserializer.Deserialize(ReadOnlySpan<byte>.Empty, isNull: true, context));
        var key = serializer.Serialize(Ada, new SerializationContext(MessageComponentType.Key, topic));
        Assert.Equal((await client.GetLatestSchemaAsync(topic + "-key")).Id, BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(1, 4)));
    }

    [Fact]
    public async Task Old_and_new_values_are_read_through_schema_resolution()
    {
        var (factory, _) = await FactoryAsync();
        var topic = TestKafka.NewPrefix("evolve") + "people";
        var written1 = await factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic);
        var v2 = new PersonV2(Guid.NewGuid(), "Grace Hopper", "grace@example.org", 85);
        var written2 = await factory.CreateSerializer<PersonV2>(TestSchemas.V2).SerializeAsync(v2, topic);
        Assert.NotEqual(written1[1..5], written2[1..5]);

        // A new reader fills in the defaults of fields an old writer did not have...
        var newReader = factory.CreateDeserializer<PersonV2>(TestSchemas.V2);
        Assert.Equal(new PersonV2(Ada.Id, Ada.Name, "none", null), await newReader.DeserializeAsync(written1, topic));
        Assert.Equal(v2, await newReader.DeserializeAsync(written2, topic));
        // ...and an old reader skips the fields it does not know.
        var oldReader = factory.CreateDeserializer<PersonV1>(TestSchemas.V1);
        Assert.Equal(new PersonV1(v2.Id, v2.Name), await oldReader.DeserializeAsync(written2, topic));
    }

    [Fact]
    public async Task Incompatible_schemas_are_refused_when_registering_and_when_reading()
    {
        var (factory, _) = await FactoryAsync();
        var topic = TestKafka.NewPrefix("incompatible") + "people";
        var written = await factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic);

        var register = await Assert.ThrowsAsync<AvroSerdeException>(() =>
            factory.CreateSerializer<PersonV3>(TestSchemas.V3).SerializeAsync(new PersonV3(Guid.NewGuid(), "x", "+1"), topic).AsTask());
        Assert.Equal(AvroSerdeError.IncompatibleSchema, register.Kind);
        Assert.Contains($"{topic}-value", register.Message, StringComparison.Ordinal);
        Assert.Contains("incompatible with an earlier schema", register.Message, StringComparison.Ordinal);

        var read = await Assert.ThrowsAsync<AvroSerdeException>(() => factory.CreateDeserializer<PersonV3>(TestSchemas.V3).DeserializeAsync(written, topic).AsTask());
        Assert.Equal(AvroSerdeError.IncompatibleSchema, read.Kind);
        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(written.AsSpan(1, 4)), read.SchemaId);
        Assert.Contains("phone", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_auto_registration_the_schema_is_looked_up_and_a_missing_one_is_named()
    {
        var (factory, client) = await FactoryAsync(o => o.AutoRegisterSchemas = false);
        var topic = TestKafka.NewPrefix("lookup") + "people";
        var serializer = factory.CreateSerializer<PersonV1>(TestSchemas.V1);

        var missing = await Assert.ThrowsAsync<AvroSerdeException>(() => serializer.SerializeAsync(Ada, topic).AsTask());
        Assert.Equal(AvroSerdeError.SchemaNotRegistered, missing.Kind);
        Assert.Contains($"not registered under {topic}-value", missing.Message, StringComparison.Ordinal);
        Assert.Contains("AutoRegisterSchemas is off", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"{topic}-value", await client.GetSubjectsAsync());

        // Registered out of band (by CI, say), the same serializer finds it.
        var id = await client.RegisterSchemaAsync(topic + "-value", TestSchemas.PersonV1);
        var bytes = await serializer.SerializeAsync(Ada, topic);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
    }

    [Fact]
    public async Task Use_latest_version_writes_with_the_subjects_latest_schema()
    {
        var (factory, client) = await FactoryAsync(o => (o.AutoRegisterSchemas, o.UseLatestVersion) = (false, true));
        var topic = TestKafka.NewPrefix("latest") + "people";
        await client.RegisterSchemaAsync(topic + "-value", TestSchemas.PersonV1);
        var latest = await client.RegisterSchemaAsync(topic + "-value", TestSchemas.PersonV1Reordered);

        var bytes = await factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, topic);

        Assert.Equal(latest, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        Assert.Equal(new AvroCodec<PersonV1>(Schema.Parse(TestSchemas.PersonV1Reordered)).Serialize(Ada), bytes[WireFormat.HeaderSize..]);
        Assert.Equal(Ada, await factory.CreateDeserializer<PersonV1>(TestSchemas.V1).DeserializeAsync(bytes, topic));

        // A latest schema the record type does not fit is refused, naming what is missing.
        var grown = TestKafka.NewPrefix("latest-grown") + "people";
        await client.RegisterSchemaAsync(grown + "-value", TestSchemas.PersonV2);
        var e = await Assert.ThrowsAsync<AvroSerdeException>(() => factory.CreateSerializer<PersonV1>(TestSchemas.V1).SerializeAsync(Ada, grown).AsTask());
        Assert.Equal(AvroSerdeError.IncompatibleSchema, e.Kind);
        Assert.Contains("email", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serializers_and_deserializers_of_events_come_from_the_factory_once_per_type()
    {
        var (factory, _) = await FactoryAsync();
        Assert.Same(factory.Serializer<Contracts.Events.TransformationRequested>(), factory.Serializer<Contracts.Events.TransformationRequested>());
        Assert.Same(factory.Deserializer<Contracts.Events.CreditsRecorded>(), factory.Deserializer<Contracts.Events.CreditsRecorded>());
        Assert.Equal(Contracts.EventSchemas.For<Contracts.Events.CreditsRecorded>().ToCanonicalForm(),
            factory.Deserializer<Contracts.Events.CreditsRecorded>().Schema.ToCanonicalForm());
    }

    internal static async Task<(AvroSerdeFactory Factory, SchemaRegistryClient Client)> FactoryAsync(Action<SchemaRegistryOptions>? configure = null)
    {
        var options = new SchemaRegistryOptions { Url = (await SharedStack.GetAsync()).SchemaRegistry.Url };
        configure?.Invoke(options);
        var client = new SchemaRegistryClient(options);
        return (new AvroSerdeFactory(client, options), client);
    }
}
