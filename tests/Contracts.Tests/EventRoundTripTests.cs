using System.Buffers.Binary;
using System.Reflection;
using Avro;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>Every event type through Kafka (the embedded cluster, or the configured one) and the schema registry over
/// HTTP, with the project's serializers (Confluent's serdes): what a producer writes is what a consumer reads, field by field.</summary>
[Trait("Category", "Stack")]
public sealed class EventRoundTripTests
{
    private static readonly Dictionary<Type, string> TopicOf = new()
    {
        [typeof(TransformationRequested)] = Topics.Requested,
        [typeof(TransformationCompleted)] = Topics.Completed,
        [typeof(TransformationStarted)] = Topics.Started,
        [typeof(TransformationFailed)] = Topics.Failed,
        [typeof(TransformationArchived)] = Topics.Archived,
        [typeof(CreditsRecorded)] = Topics.CreditsRecorded,
    };

    public static TheoryData<string> EventTypes => [.. EventSchemas.EventTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public Task Every_event_type_round_trips_through_kafka_and_the_registry(string eventType) =>
        (Task)typeof(EventRoundTripTests).GetMethod(nameof(RoundTripAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(EventSchemas.EventTypes.Single(t => t.Name == eventType))
            .Invoke(null, null)!;

    private static async Task RoundTripAsync<T>()
        where T : class, ICinematicEvent
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("contracts");
        var topic = prefix + TopicOf[typeof(T)];
        await stack.Kafka.CreateTopicAsync(topic, 3);
        var options = new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url };
        using var serdes = new EventSerdes(options);
        var samples = EventSamples.For(typeof(T)).Cast<T>().ToList();

        using (var producer = stack.Kafka.ClientFactory(prefix).CreateProducer<string, T>("contracts-test", valueSerializer: serdes.Serializer<T>()))
        {
            foreach (var sample in samples)
            {
                await producer.ProduceAsync(topic, new Message<string, T> { Key = sample.TenantId, Value = sample });
            }
        }

        // The registry holds the .avsc under the topic's subject, and every value names it.
        var registered = await serdes.Registry.GetLatestSchemaAsync(topic + "-value");
        Assert.Equal(SchemaNormalization.ToParsingForm(EventSchemas.For<T>()), SchemaNormalization.ToParsingForm(Schema.Parse(registered.SchemaString)));
        var raw = await TopicReader.ReadAsync<string, byte[]>(stack.Kafka.BootstrapServers, topic, samples.Count);
        Assert.All(raw, r => Assert.Equal(0, r.Message.Value[0]));
        Assert.All(raw, r => Assert.Equal(registered.Id, BinaryPrimitives.ReadInt32BigEndian(r.Message.Value.AsSpan(1, 4))));

        // Decoded as a consumer's deserializer does, with the writer schema fetched by id.
        using var consumer = new EventSerdes(options);
        var deserializer = consumer.Deserializer<T>();
        var read = raw.Select(r => (r.Message.Key, Value: deserializer.Deserialize(r.Message.Value, false, new SerializationContext(MessageComponentType.Value, topic))))
            .ToList();
        Assert.Equal(samples.Count, read.Count);
        foreach (var sample in samples)
        {
            // Partitions do not keep order between tenants: match by request and tenant.
            var match = Assert.Single(read, r => r.Value.RequestId == sample.RequestId && r.Key == sample.TenantId);
            Assert.True(FieldComparison.AssertSameFields(sample, match.Value, typeof(T).Name) >= EventSchemas.For<T>().Fields.Count);
        }
    }
}
