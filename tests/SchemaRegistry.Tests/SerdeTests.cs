using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using AvroSchema = Avro.Schema;
using Records = io.cinematicswitch.events;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>The events' serializers and deserializers (Confluent's serdes) against the test registry over HTTP.</summary>
[Trait("Category", "Stack")]
public sealed class SerdeTests
{
    [Fact]
    public async Task Values_carry_the_magic_byte_and_the_registered_id_before_the_avro_body()
    {
        using var serdes = await SerdesAsync();
        var topic = TestKafka.NewPrefix("serde") + Topics.Started;
        var started = TestEvents.Started();
        var serializer = serdes.Serializer<TransformationStarted>();
        var deserializer = serdes.Deserializer<TransformationStarted>();

        var bytes = await serializer.SerializeAsync(started, topic);

        Assert.Equal(WireFormat.MagicByte, bytes[0]);
        var id = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4));
        Assert.Equal((await serdes.Registry.GetLatestSchemaAsync(topic + "-value")).Id, id);
        Assert.Equal(Body(Records.TransformationStarted.From(started)), bytes[WireFormat.HeaderSize..]);

        var context = new SerializationContext(MessageComponentType.Value, topic);
        Assert.Equal(bytes, serializer.Serialize(started, context));
        Assert.Equal(bytes, await ((IAsyncSerializer<TransformationStarted>)serializer).SerializeAsync(started, context));
        Assert.Equal(started, await deserializer.DeserializeAsync(bytes, topic));
        Assert.Equal(started, deserializer.Deserialize(bytes, isNull: false, context));
        Assert.Equal(started, await ((IAsyncDeserializer<TransformationStarted>)deserializer).DeserializeAsync(bytes, isNull: false, context));

        // A null event is a null (tombstone) record; keys go to the "-key" subject.
        Assert.Null(serializer.Serialize(null!, context));
        var key = serializer.Serialize(started, new SerializationContext(MessageComponentType.Key, topic));
        Assert.Equal((await serdes.Registry.GetLatestSchemaAsync(topic + "-key")).Id, BinaryPrimitives.ReadInt32BigEndian(key.AsSpan(1, 4)));
    }

    [Fact]
    public async Task Once_the_id_is_known_values_are_encoded_and_decoded_on_the_callers_thread()
    {
        using var serdes = await SerdesAsync();
        var topic = TestKafka.NewPrefix("inline") + Topics.Started;
        var context = new SerializationContext(MessageComponentType.Value, topic);
        var serializer = serdes.Serializer<TransformationStarted>();
        var deserializer = serdes.Deserializer<TransformationStarted>();
        var bytes = await serializer.SerializeAsync(TestEvents.Started(), context);
        await deserializer.DeserializeAsync(bytes, false, context);

        // Confluent's serdes would queue the end of every value to the thread pool (ContinueWith); the serdes run
        // them so that a cached value completes before the call returns.
        for (var i = 0; i < 20; i++)
        {
            var encoding = serializer.SerializeAsync(TestEvents.Started($"model-{i}"), context);
            Assert.True(encoding.IsCompletedSuccessfully, $"serialization {i} did not complete synchronously");
            var decoding = deserializer.DeserializeAsync(await encoding, false, context);
            Assert.True(decoding.IsCompletedSuccessfully, $"deserialization {i} did not complete synchronously");
            Assert.Equal($"model-{i}", (await decoding).Model);
        }
    }

    [Fact]
    public async Task Older_and_newer_writers_are_read_through_schema_resolution()
    {
        using var serdes = await SerdesAsync();
        var topic = TestKafka.NewPrefix("evolve") + Topics.Requested;
        var requested = TestEvents.Requested();

        // An older producer did not have the fields with defaults; a newer one has a field this reader does not know.
        var older = Variant<TransformationRequested>(fields => fields.RemoveAll(f => f.AsObject().ContainsKey("default")));
        var newer = Variant<TransformationRequested>(fields => fields.Add(JsonNode.Parse("""{"name":"region","type":"string","default":"eu"}""")!));
        var fromOlder = await WriteGenericAsync(serdes, topic, older, requested);
        var fromNewer = await WriteGenericAsync(serdes, topic, newer, requested, ("region", "ap-south"));
        Assert.NotEqual(fromOlder[1..5], fromNewer[1..5]);

        var reader = serdes.Deserializer<TransformationRequested>();
        Assert.Equal(requested with { Task = TransformationTask.Unknown, Media = null, StylePreset = null, OutputCount = 1, AspectRatio = "original", Provider = null },
            await reader.DeserializeAsync(fromOlder, topic));
        Assert.Equal(requested, await reader.DeserializeAsync(fromNewer, topic));
    }

    [Fact]
    public async Task Incompatible_schemas_are_refused_when_registering_and_when_reading()
    {
        using var serdes = await SerdesAsync();
        var topic = TestKafka.NewPrefix("incompatible") + Topics.Started;
        var stepAsText = Variant<TransformationStarted>(fields => fields.Single(f => (string)f!["name"]! == "step")!["type"] = "string");
        var written = await WriteGenericAsync(serdes, topic, stepAsText, TestEvents.Started(), ("step", "two"));

        var register = await Assert.ThrowsAsync<AvroSerdeException>(() => serdes.Serializer<TransformationStarted>().SerializeAsync(TestEvents.Started(), topic));
        Assert.Equal(AvroSerdeError.IncompatibleSchema, register.Kind);
        Assert.Contains($"{topic}-value", register.Message, StringComparison.Ordinal);
        Assert.Contains("incompatible with an earlier schema", register.Message, StringComparison.Ordinal);

        var read = await Assert.ThrowsAsync<AvroSerdeException>(() => serdes.Deserializer<TransformationStarted>().DeserializeAsync(written, topic));
        Assert.Equal(AvroSerdeError.IncompatibleSchema, read.Kind);
        Assert.Equal(BinaryPrimitives.ReadInt32BigEndian(written.AsSpan(1, 4)), read.SchemaId);
        Assert.Contains("/fields/8/type reader type 'int' cannot read writer type 'string'", read.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("two", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_auto_registration_the_schema_is_looked_up_and_a_missing_one_is_named()
    {
        using var serdes = await SerdesAsync(o => o.AutoRegisterSchemas = false);
        var topic = TestKafka.NewPrefix("lookup") + Topics.Started;
        var serializer = serdes.Serializer<TransformationStarted>();

        var missing = await Assert.ThrowsAsync<AvroSerdeException>(() => serializer.SerializeAsync(TestEvents.Started(), topic));
        Assert.Equal(AvroSerdeError.SchemaNotRegistered, missing.Kind);
        Assert.Contains($"not registered under {topic}-value", missing.Message, StringComparison.Ordinal);
        Assert.Contains("AutoRegisterSchemas is off", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain($"{topic}-value", await serdes.Registry.GetAllSubjectsAsync());
        await Assert.ThrowsAsync<AvroSerdeException>(() => serializer.PrepareAsync(topic));

        // Registered out of band (by CI, say), the same serializer finds it.
        var id = await serdes.Registry.RegisterSchemaAsync(topic + "-value", new Schema(EventSchemas.JsonFor(typeof(TransformationStarted)), SchemaType.Avro));
        Assert.Equal(id, await serializer.PrepareAsync(topic));
        var bytes = await serializer.SerializeAsync(TestEvents.Started(), topic);
        Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
    }

    [Fact]
    public async Task Use_latest_version_writes_with_the_latest_id_only_when_it_is_the_events_schema()
    {
        using var serdes = await SerdesAsync(o => (o.AutoRegisterSchemas, o.UseLatestVersion) = (false, true));
        var topic = TestKafka.NewPrefix("latest") + Topics.Started;
        var serializer = serdes.Serializer<TransformationStarted>();
        // The event's schema, spelled otherwise: the same schema, so the serializer writes with this id.
        var latest = await serdes.Registry.RegisterSchemaAsync(topic + "-value", new Schema(serializer.Schema.ToString(), SchemaType.Avro));

        var bytes = await serializer.SerializeAsync(TestEvents.Started(), topic);

        Assert.Equal(latest, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        Assert.Equal(TestEvents.Started(), await serdes.Deserializer<TransformationStarted>().DeserializeAsync(bytes, topic));

        // A latest version that is not the event's schema is refused: Confluent's serializer would stamp its id on
        // values written with the event's own schema.
        var grown = TestKafka.NewPrefix("latest-grown") + Topics.Started;
        var withRegion = Variant<TransformationStarted>(fields => fields.Insert(0, JsonNode.Parse("""{"name":"region","type":"string","default":"eu"}""")!));
        await serdes.Registry.RegisterSchemaAsync(grown + "-value", new Schema(withRegion.ToString(), SchemaType.Avro));
        var e = await Assert.ThrowsAsync<AvroSerdeException>(() => serializer.SerializeAsync(TestEvents.Started(), grown));
        Assert.Equal(AvroSerdeError.IncompatibleSchema, e.Kind);
        Assert.Contains("is not the schema of TransformationStarted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serializers_and_deserializers_of_events_come_from_the_serdes_once_per_type()
    {
        using var serdes = await SerdesAsync();
        Assert.Same(serdes.Serializer<TransformationRequested>(), serdes.Serializer<TransformationRequested>());
        Assert.Same(serdes.Deserializer<CreditsRecorded>(), serdes.Deserializer<CreditsRecorded>());
        Assert.Same(EventSchemas.For<CreditsRecorded>(), serdes.Deserializer<CreditsRecorded>().Schema);
    }

    internal static async Task<EventSerdes> SerdesAsync(Action<SchemaRegistryOptions>? configure = null)
    {
        var options = new SchemaRegistryOptions { Url = (await SharedStack.GetAsync()).SchemaRegistry.Url };
        configure?.Invoke(options);
        return new EventSerdes(options);
    }

    /// <summary>The event's schema with its fields changed.</summary>
    internal static AvroSchema Variant<T>(Action<List<JsonNode>> change)
    {
        var schema = JsonNode.Parse(EventSchemas.JsonFor(typeof(T)))!.AsObject();
        var fields = schema["fields"]!.AsArray().Select(f => f!.DeepClone()).ToList();
        change(fields);
        schema["fields"] = new JsonArray([.. fields]);
        return AvroSchema.Parse(schema.ToJsonString());
    }

    /// <summary>The event written by another producer, with Confluent's generic serializer and <paramref name="writer"/>.</summary>
    internal static async Task<byte[]> WriteGenericAsync<T>(EventSerdes serdes, string topic, AvroSchema writer, T value, params (string Field, object Value)[] overrides)
        where T : class
    {
        // The event as the writer schema has it: its own encoding, read back through the writer's fields.
        var record = (ISpecificRecord)EventSchemas.RecordTypeOf(typeof(T)).GetMethod("From")!.Invoke(null, [value])!;
        using var stream = new MemoryStream(Body(record));
        var full = new GenericReader<GenericRecord>(record.Schema, record.Schema).Read(null!, new BinaryDecoder(stream));
        var generic = new GenericRecord((Avro.RecordSchema)writer);
        foreach (var field in ((Avro.RecordSchema)writer).Fields)
        {
            var overridden = overrides.Where(o => o.Field == field.Name).Select(o => o.Value).ToList();
            generic.Add(field.Name, overridden.Count > 0 ? overridden[0] : full[field.Name]);
        }

        var serializer = new AvroSerializer<GenericRecord>(serdes.Registry, new AvroSerializerConfig { SubjectNameStrategy = SubjectNameStrategy.Topic });
        return await serializer.SerializeAsync(generic, new SerializationContext(MessageComponentType.Value, topic));
    }

    private static byte[] Body(ISpecificRecord record)
    {
        using var stream = new MemoryStream();
        new SpecificDefaultWriter(record.Schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }
}
