using CinematicSwitch.Contracts;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace CinematicSwitch.Skills.Client;

/// <summary>
/// Confluent's Avro serdes over the contracts' specific records (the one mapping between events and Avro, in
/// Contracts): values in the Confluent wire format under the TopicNameStrategy, writer schemas resolved against the
/// contracts' own, so values written with older or newer compatible schemas read too.
/// </summary>
internal static class EventCodec
{
    public static IDeserializer<TEvent> Deserializer<TEvent, TRecord>(ISchemaRegistryClient registry)
        where TEvent : class
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new() =>
        new Reader<TEvent, TRecord>(new AvroDeserializer<TRecord>(registry, new AvroDeserializerConfig
        {
            // The writer schema comes by the value's id: no subject is needed (2.16's default, Associated, would ask for one).
            SubjectNameStrategy = SubjectNameStrategy.None,
        }).AsSyncOverAsync());

    public static IAsyncSerializer<TEvent> Serializer<TEvent, TRecord>(ISchemaRegistryClient registry, bool autoRegister)
        where TEvent : class
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new() =>
        new Writer<TEvent, TRecord>(new AvroSerializer<TRecord>(registry, new AvroSerializerConfig
        {
            SubjectNameStrategy = SubjectNameStrategy.Topic,
            AutoRegisterSchemas = autoRegister,
        }));

    private sealed class Reader<TEvent, TRecord>(IDeserializer<TRecord> inner) : IDeserializer<TEvent>
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
    {
        public TEvent Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            inner.Deserialize(data, isNull, context).ToValue();
    }

    private sealed class Writer<TEvent, TRecord>(IAsyncSerializer<TRecord> inner) : IAsyncSerializer<TEvent>
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
    {
        public Task<byte[]> SerializeAsync(TEvent data, SerializationContext context) => inner.SerializeAsync(TRecord.From(data), context);
    }
}
