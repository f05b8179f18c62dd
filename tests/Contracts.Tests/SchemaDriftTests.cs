using System.Reflection;
using CinematicSwitch.Avro;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>The typed records and the .avsc files (the source of truth) cannot drift apart.</summary>
public sealed class SchemaDriftTests
{
    public static TheoryData<string> EventTypes => [.. EventSchemas.EventTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Every_event_record_maps_exactly_onto_its_avsc_and_round_trips_in_memory(string eventType) =>
        typeof(SchemaDriftTests).GetMethod(nameof(RoundTripInMemory), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(EventSchemas.EventTypes.Single(t => t.Name == eventType))
            .Invoke(null, null);

    [Fact]
    public void Every_event_record_of_the_contracts_has_a_schema_and_every_schema_file_a_record()
    {
        var records = typeof(ICinematicEvent).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(ICinematicEvent).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        Assert.Equal(records, EventSchemas.EventTypes.OrderBy(t => t.Name, StringComparer.Ordinal));

        var files = Directory.GetFiles(Path.Combine(RepositoryLayout.Root, "schemas"), "*.avsc").Select(File.ReadAllText).ToHashSet(StringComparer.Ordinal);
        var embedded = EventSchemas.EventTypes.Select(EventSchemas.JsonFor).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(files.Count, EventSchemas.EventTypes.Count());
        Assert.True(files.SetEquals(embedded), "schemas/*.avsc and the schemas embedded in CinematicSwitch.Contracts differ");
    }

    [Fact]
    public void Named_types_repeated_across_schema_files_are_the_same_type()
    {
        var definitions = EventSchemas.EventTypes
            .SelectMany(t => NamedTypes(EventSchemas.For(t)).Select(named => (File: t.Name, Named: named)))
            .GroupBy(d => d.Named.FullName, StringComparer.Ordinal)
            .Where(g => g.Select(d => d.File).Distinct().Count() > 1)
            .ToList();

        // TransformationRequested travels inside completed and failed events; the enums are everywhere.
        Assert.Contains(definitions, g => g.Key == "io.cinematicswitch.events.TransformationRequested" && g.Count() == 3);
        Assert.Contains(definitions, g => g.Key == "io.cinematicswitch.events.Provider");
        foreach (var group in definitions)
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                Assert.True(first.Named.ToCanonicalForm() == other.Named.ToCanonicalForm(),
                    $"{group.Key} differs between {first.File} and {other.File}:\n{first.Named.ToCanonicalForm()}\n{other.Named.ToCanonicalForm()}");
                // Defaults and docs are not in the canonical form but change how readers fill missing fields.
                Assert.True(first.Named.ToJson() == other.Named.ToJson(), $"{group.Key} has other defaults or docs in {first.File} than in {other.File}");
            }
        }
    }

    private static void RoundTripInMemory<T>()
        where T : class
    {
        // The codec checks every field against a property of a compatible type and every property against a field.
        var codec = new AvroCodec<T>(EventSchemas.For(typeof(T)));
        foreach (var sample in EventSamples.For(typeof(T)).Cast<T>())
        {
            Assert.True(FieldComparison.AssertSameFields(sample, codec.Deserialize(codec.Serialize(sample)), typeof(T).Name) >= ((RecordSchema)EventSchemas.For(typeof(T))).Fields.Count);
        }
    }

    private static IEnumerable<NamedSchema> NamedTypes(Schema root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Schema>([root]);
        while (pending.TryPop(out var schema))
        {
            switch (schema)
            {
                case NamedSchema named when !seen.Add(named.FullName):
                    continue;
                case RecordSchema record:
                    yield return record;
                    foreach (var field in record.Fields)
                    {
                        pending.Push(field.Schema);
                    }

                    break;
                case NamedSchema named:
                    yield return named;
                    break;
                case UnionSchema union:
                    union.Branches.ToList().ForEach(pending.Push);
                    break;
                case ArraySchema array:
                    pending.Push(array.Items);
                    break;
                case MapSchema map:
                    pending.Push(map.Values);
                    break;
            }
        }
    }
}
