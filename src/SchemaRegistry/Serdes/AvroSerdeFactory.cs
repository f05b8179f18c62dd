using System.Collections.Concurrent;
using CinematicSwitch.Avro;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Serializers and deserializers of the project's events over one registry client. One instance per event type
/// is kept, so schema ids and compiled codecs are shared by every producer and consumer of the process.
/// </summary>
public sealed class AvroSerdeFactory(ISchemaRegistryClient registry, SchemaRegistryOptions options)
{
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly ConcurrentDictionary<Type, object> _deserializers = new();

    /// <summary>The serializer of an event type, with the schema from schemas/*.avsc.</summary>
    public AvroSerializer<T> Serializer<T>()
        where T : class, ICinematicEvent =>
        (AvroSerializer<T>)_serializers.GetOrAdd(typeof(T), static (_, factory) => factory.CreateSerializer<T>(EventSchemas.For<T>()), this);

    /// <summary>The deserializer of an event type, reading with the schema from schemas/*.avsc.</summary>
    public AvroDeserializer<T> Deserializer<T>()
        where T : class, ICinematicEvent =>
        (AvroDeserializer<T>)_deserializers.GetOrAdd(typeof(T), static (_, factory) => factory.CreateDeserializer<T>(EventSchemas.For<T>()), this);

    /// <summary>A new serializer of any record type with its schema (not shared).</summary>
    public AvroSerializer<T> CreateSerializer<T>(Schema schema)
        where T : class => new(registry, new AvroCodec<T>(schema), options);

    /// <summary>A new deserializer of any record type, reading with <paramref name="readerSchema"/> (not shared).</summary>
    public AvroDeserializer<T> CreateDeserializer<T>(Schema readerSchema)
        where T : class => new(registry, new AvroCodec<T>(readerSchema));
}
