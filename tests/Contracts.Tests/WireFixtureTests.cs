using System.Buffers.Binary;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// The fixtures in Fixtures/ are what the project's serializer writes for every sample of every event type: run with
/// CINEMATIC_WRITE_WIRE_FIXTURES=1 to (re)capture them against the test registry, otherwise this checks them.
/// </summary>
public sealed class WireFixtureTests
{
    private static readonly string[] SampleNames = ["full", "sparse", "edge"];

    public static TheoryData<string> EventTypes => [.. EventSchemas.EventTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public Task Fixtures_hold_what_the_serializer_writes(string eventType) =>
        (Task)typeof(WireFixtureTests).GetMethod(nameof(CaptureAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(EventSchemas.EventTypes.Single(t => t.Name == eventType))
            .Invoke(null, null)!;

    private static async Task CaptureAsync<T>()
        where T : class, ICinematicEvent
    {
        var stack = await SharedStack.GetAsync();
        var options = new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url };
        using var registry = new SchemaRegistryClient(options);
        var serializer = new AvroSerdeFactory(registry, options).Serializer<T>();
        var topic = TestKafka.NewPrefix("fixtures") + typeof(T).Name;
        var samples = EventSamples.For(typeof(T)).Cast<T>().ToList();
        var values = new List<WireFixtureValue>();
        int? id = null;
        foreach (var (sample, name) in samples.Zip(SampleNames))
        {
            var wire = serializer.Serialize(sample, new SerializationContext(MessageComponentType.Value, topic));
            id = BinaryPrimitives.ReadInt32BigEndian(wire.AsSpan(1, 4));
            values.Add(new WireFixtureValue(name, id.Value, Convert.ToBase64String(wire), JsonSerializer.SerializeToNode(sample, WireFixture.RecordJson)!));
        }

        var writerSchema = JsonNode.Parse((await registry.GetSchemaAsync(id!.Value)).Schema)!;
        var captured = new WireFixture(typeof(T).Name, "CinematicSwitch.SchemaRegistry.Serdes.AvroSerializer (the project's own Avro codec)", writerSchema, values);
        if (Environment.GetEnvironmentVariable("CINEMATIC_WRITE_WIRE_FIXTURES") == "1")
        {
            captured.Save();
            return;
        }

        var fixture = WireFixture.Load(typeof(T));
        Assert.True(JsonNode.DeepEquals(fixture.WriterSchema, captured.WriterSchema), $"{typeof(T).Name}: the writer schema changed");
        Assert.Equal(SampleNames.Take(samples.Count), fixture.Values.Select(v => v.Name));
        foreach (var (expected, actual) in fixture.Values.Zip(values))
        {
            // The schema id is the registry's choice; the body after the 5-byte header is the serializer's.
            Assert.Equal(expected.Wire[5..], actual.Wire[5..]);
            Assert.True(JsonNode.DeepEquals(expected.Record, actual.Record), $"{typeof(T).Name} {expected.Name}: the sample changed");
        }
    }
}
