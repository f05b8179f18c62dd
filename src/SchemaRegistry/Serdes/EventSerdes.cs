using System.Collections.Concurrent;
using System.Reflection;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// The serializers and deserializers of the project's events over one Confluent registry client. One instance per
/// event type is kept, so that schema ids and writer schemas are resolved once per process (Confluent's serdes cache
/// per instance).
/// </summary>
public sealed class EventSerdes : IDisposable
{
    private static readonly MethodInfo CreateSerializerMethod = typeof(EventSerdes).GetMethod(nameof(CreateSerializer), BindingFlags.NonPublic | BindingFlags.Instance)!;
    private static readonly MethodInfo CreateDeserializerMethod = typeof(EventSerdes).GetMethod(nameof(CreateDeserializer), BindingFlags.NonPublic | BindingFlags.Instance)!;

    private readonly SchemaRegistryOptions _options;
    private readonly bool _ownsRegistry;
    private readonly ConcurrentDictionary<Type, object> _serializers = new();
    private readonly ConcurrentDictionary<Type, object> _deserializers = new();

    /// <summary>Serdes over a client of their own, disposed with them.</summary>
    public EventSerdes(SchemaRegistryOptions options)
        : this(new CachedSchemaRegistryClient(options.ClientConfig()), options, ownsRegistry: true)
    {
    }

    /// <summary>Serdes over a shared client.</summary>
    public EventSerdes(ISchemaRegistryClient registry, SchemaRegistryOptions options)
        : this(registry, options, ownsRegistry: false)
    {
    }

    private EventSerdes(ISchemaRegistryClient registry, SchemaRegistryOptions options, bool ownsRegistry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        Registry = registry;
        _options = options;
        _ownsRegistry = ownsRegistry;
    }

    public ISchemaRegistryClient Registry { get; }

    /// <summary>The serializer of an event type, with the schema from schemas/*.avsc.</summary>
    public EventSerializer<T> Serializer<T>()
        where T : class, ICinematicEvent =>
        (EventSerializer<T>)_serializers.GetOrAdd(typeof(T), static (type, serdes) => CreateSerializerMethod
            .MakeGenericMethod(type, EventSchemas.RecordTypeOf(type)).Invoke(serdes, null)!, this);

    /// <summary>The deserializer of an event type, reading with the schema from schemas/*.avsc.</summary>
    public EventDeserializer<T> Deserializer<T>()
        where T : class, ICinematicEvent =>
        (EventDeserializer<T>)_deserializers.GetOrAdd(typeof(T), static (type, serdes) => CreateDeserializerMethod
            .MakeGenericMethod(type, EventSchemas.RecordTypeOf(type)).Invoke(serdes, null)!, this);

    public void Dispose()
    {
        if (_ownsRegistry)
        {
            Registry.Dispose();
        }
    }

    private EventSerializer<TEvent> CreateSerializer<TEvent, TRecord>()
        where TEvent : class
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new() => new EventSerializer<TEvent, TRecord>(Registry, _options);

    private EventDeserializer<TEvent> CreateDeserializer<TEvent, TRecord>()
        where TEvent : class
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new() => new EventDeserializer<TEvent, TRecord>(Registry);
}
