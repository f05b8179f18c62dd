using System.Collections.Frozen;
using Avro;
using CinematicSwitch.Contracts.Events;
using Records = io.cinematicswitch.events;

namespace CinematicSwitch.Contracts;

/// <summary>
/// The Avro schema of each event, read from the embedded schemas/*.avsc (the source of truth) and parsed with
/// Apache.Avro, and the specific record (Records/) that carries each event through Apache.Avro and Confluent's serdes.
/// </summary>
public static class EventSchemas
{
    private static readonly FrozenDictionary<Type, (string File, Type Record)> Events = new Dictionary<Type, (string, Type)>
    {
        [typeof(TransformationRequested)] = ("transformation-requested.avsc", typeof(Records.TransformationRequested)),
        [typeof(TransformationStarted)] = ("transformation-started.avsc", typeof(Records.TransformationStarted)),
        [typeof(TransformationCompleted)] = ("transformation-completed.avsc", typeof(Records.TransformationCompleted)),
        [typeof(TransformationFailed)] = ("transformation-failed.avsc", typeof(Records.TransformationFailed)),
        [typeof(TransformationArchived)] = ("transformation-archived.avsc", typeof(Records.TransformationArchived)),
        [typeof(CreditsRecorded)] = ("credits-recorded.avsc", typeof(Records.CreditsRecorded)),
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<Type, RecordSchema>> Parsed = new(() =>
    {
        // Before any schema is parsed: parsing binds the logical types.
        ExactTimestampMillisecond.Register();
        return Events.ToFrozenDictionary(kv => kv.Key, kv => (RecordSchema)Schema.Parse(ReadJson(kv.Value.File)));
    });

    // Named types are defined again in every file that uses them (the drift tests hold them equal): one of the
    // definitions is the one the nested records name as theirs.
    private static readonly Lazy<FrozenDictionary<string, NamedSchema>> Named = new(() =>
    {
        var named = new Dictionary<string, NamedSchema>(StringComparer.Ordinal);
        foreach (var schema in Parsed.Value.Values)
        {
            Collect(schema, named);
        }

        return named.ToFrozenDictionary(StringComparer.Ordinal);
    });

    /// <summary>Every event type with a schema.</summary>
    public static IEnumerable<Type> EventTypes => Events.Keys;

    public static RecordSchema For<T>()
        where T : ICinematicEvent => For(typeof(T));

    public static RecordSchema For(Type eventType) =>
        Parsed.Value.TryGetValue(eventType, out var schema)
            ? schema
            : throw new ArgumentException($"{eventType.Name} has no schema in schemas/.", nameof(eventType));

    /// <summary>The specific record (namespace io.cinematicswitch.events) that carries <paramref name="eventType"/>.</summary>
    public static Type RecordTypeOf(Type eventType) =>
        Events.TryGetValue(eventType, out var e) ? e.Record : throw new ArgumentException($"{eventType.Name} has no schema.", nameof(eventType));

    /// <summary>The .avsc text as shipped, e.g. to register it in a schema registry.</summary>
    public static string JsonFor(Type eventType) =>
        Events.TryGetValue(eventType, out var e) ? ReadJson(e.File) : throw new ArgumentException($"{eventType.Name} has no schema.", nameof(eventType));

    /// <summary>A record or enum type of the schemas by its full name (io.cinematicswitch.events.MediaReference).</summary>
    public static NamedSchema NamedType(string fullName) =>
        Named.Value.TryGetValue(fullName, out var schema) ? schema : throw new ArgumentException($"No schema defines {fullName}.", nameof(fullName));

    private static string ReadJson(string file)
    {
        using var stream = typeof(EventSchemas).Assembly.GetManifestResourceStream("schemas/" + file)
            ?? throw new InvalidOperationException($"schemas/{file} is not embedded in {typeof(EventSchemas).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Collect(Schema schema, Dictionary<string, NamedSchema> named)
    {
        switch (schema)
        {
            case RecordSchema record when named.TryAdd(record.Fullname, record):
                foreach (var field in record.Fields)
                {
                    Collect(field.Schema, named);
                }

                break;
            case RecordSchema:
                break;
            case NamedSchema type:
                named.TryAdd(type.Fullname, type);
                break;
            case UnionSchema union:
                foreach (var branch in union.Schemas)
                {
                    Collect(branch, named);
                }

                break;
            case ArraySchema array:
                Collect(array.ItemSchema, named);
                break;
            case MapSchema map:
                Collect(map.ValueSchema, named);
                break;
        }
    }
}
