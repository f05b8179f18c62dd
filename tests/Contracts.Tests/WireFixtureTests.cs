using System.Buffers.Binary;
using System.Reflection;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// Values written by the project's own Avro serializer before the switch to Confluent's serdes (Fixtures/, captured
/// with it) decode with the current deserializer: each fixture's writer schema is registered in the test registry,
/// its new id patched into the bytes, and the decoded event compared field by field with the record captured with it.
/// </summary>
[Trait("Category", "Stack")]
public sealed class WireFixtureTests
{
    public static TheoryData<string> EventTypes => [.. EventSchemas.EventTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public Task Values_written_before_the_switch_decode_with_the_current_deserializer(string eventType) =>
        (Task)typeof(WireFixtureTests).GetMethod(nameof(DecodeAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(EventSchemas.EventTypes.Single(t => t.Name == eventType))
            .Invoke(null, null)!;

    private static async Task DecodeAsync<T>()
        where T : class, ICinematicEvent
    {
        var fixture = WireFixture.Load(typeof(T));
        Assert.Equal(3, fixture.Values.Count);
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = (await SharedStack.GetAsync()).SchemaRegistry.Url });
        var topic = TestKafka.NewPrefix("fixtures") + typeof(T).Name;
        var id = await serdes.Registry.RegisterSchemaAsync(WireFormat.Subject(topic), new Schema(fixture.WriterSchema.ToJsonString(), SchemaType.Avro));
        var deserializer = serdes.Deserializer<T>();
        var serializer = serdes.Serializer<T>();
        var sameSchema = Avro.SchemaNormalization.ToParsingForm(Avro.Schema.Parse(fixture.WriterSchema.ToJsonString()))
            == Avro.SchemaNormalization.ToParsingForm(EventSchemas.For<T>());

        foreach (var value in fixture.Values)
        {
            var wire = value.Wire;
            Assert.Equal(value.SchemaId, BinaryPrimitives.ReadInt32BigEndian(wire.AsSpan(1, 4)));
            BinaryPrimitives.WriteInt32BigEndian(wire.AsSpan(1, 4), id);
            var expected = fixture.Expected(value);

            var decoded = await deserializer.DeserializeAsync(wire, topic);

            Assert.True(FieldComparison.AssertSameFields(expected, decoded, $"{typeof(T).Name} {value.Name}") >= EventSchemas.For<T>().Fields.Count);
            // And the current serializer writes the very same Avro body for it, while the schema is the one the fixture was
            // written with; once the schema has evolved (a field added with its default), what it writes reads back the same.
            var written = await serializer.SerializeAsync((T)expected, topic);
            if (sameSchema)
            {
                Assert.Equal(wire[WireFormat.HeaderSize..], written[WireFormat.HeaderSize..]);
            }
            else
            {
                FieldComparison.AssertSameFields(expected, await deserializer.DeserializeAsync(written, topic), $"{typeof(T).Name} {value.Name} rewritten");
            }
        }
    }
}
