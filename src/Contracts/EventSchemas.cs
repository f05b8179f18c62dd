using System.Collections.Frozen;
using CinematicSwitch.Avro;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Contracts;

/// <summary>The Avro schema of each event, read from the embedded schemas/*.avsc (the source of truth).</summary>
public static class EventSchemas
{
    private static readonly FrozenDictionary<Type, string> Files = new Dictionary<Type, string>
    {
        [typeof(TransformationRequested)] = "transformation-requested.avsc",
        [typeof(TransformationStarted)] = "transformation-started.avsc",
        [typeof(TransformationCompleted)] = "transformation-completed.avsc",
        [typeof(TransformationFailed)] = "transformation-failed.avsc",
        [typeof(TransformationArchived)] = "transformation-archived.avsc",
        [typeof(CreditsRecorded)] = "credits-recorded.avsc",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<Type, Schema>> Parsed = new(() =>
        Files.ToFrozenDictionary(kv => kv.Key, kv => Schema.Parse(ReadJson(kv.Value))));

    /// <summary>Every event type with a schema.</summary>
    public static IEnumerable<Type> EventTypes => Files.Keys;

    public static Schema For<T>()
        where T : ICinematicEvent => For(typeof(T));

    public static Schema For(Type eventType) =>
        Parsed.Value.TryGetValue(eventType, out var schema)
            ? schema
            : throw new ArgumentException($"{eventType.Name} has no schema in schemas/.", nameof(eventType));

    /// <summary>The .avsc text as shipped, e.g. to register it in a schema registry.</summary>
    public static string JsonFor(Type eventType) =>
        Files.TryGetValue(eventType, out var file) ? ReadJson(file) : throw new ArgumentException($"{eventType.Name} has no schema.", nameof(eventType));

    private static string ReadJson(string file)
    {
        using var stream = typeof(EventSchemas).Assembly.GetManifestResourceStream("schemas/" + file)
            ?? throw new InvalidOperationException($"schemas/{file} is not embedded in {typeof(EventSchemas).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
