using Avro;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>The typed records, their specific records and the .avsc files (the source of truth) cannot drift apart.</summary>
public sealed class SchemaDriftTests
{
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
    public void Every_record_and_enum_of_the_schemas_has_a_specific_type_of_its_full_name()
    {
        var named = EventSchemas.EventTypes.SelectMany(t => NamedTypes(EventSchemas.For(t))).Select(n => n.Fullname).Distinct().Order().ToList();
        var specific = typeof(EventSchemas).Assembly.GetTypes()
            .Where(t => t.Namespace == "io.cinematicswitch.events" && t.IsPublic)
            .Select(t => t.FullName!)
            .Order()
            .ToList();

        // Apache.Avro's reader creates nested records by their full Avro name: each needs a type of exactly that name.
        Assert.Equal(named, specific);
        Assert.All(EventSchemas.EventTypes, t => Assert.Equal(EventSchemas.For(t).Fullname, EventSchemas.RecordTypeOf(t).FullName));
    }

    [Fact]
    public void Named_types_repeated_across_schema_files_are_the_same_type()
    {
        var definitions = EventSchemas.EventTypes
            .SelectMany(t => NamedTypes(EventSchemas.For(t)).Select(named => (File: t.Name, Named: named)))
            .GroupBy(d => d.Named.Fullname, StringComparer.Ordinal)
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
                Assert.True(SchemaNormalization.ToParsingForm(first.Named) == SchemaNormalization.ToParsingForm(other.Named),
                    $"{group.Key} differs between {first.File} and {other.File}");
                // Defaults and docs are not in the canonical form but change how readers fill missing fields.
                Assert.True(Standalone(first.Named) == Standalone(other.Named), $"{group.Key} has other defaults or docs in {first.File} than in {other.File}");
            }
        }
    }

    /// <summary>Every record and enum a schema defines, the schema itself first.</summary>
    internal static IEnumerable<NamedSchema> NamedTypes(Schema root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Schema>([root]);
        while (pending.TryPop(out var schema))
        {
            switch (schema)
            {
                case NamedSchema named when !seen.Add(named.Fullname):
                    continue;
                case RecordSchema record:
                    yield return record;
                    foreach (var field in record.Fields.AsEnumerable().Reverse())
                    {
                        pending.Push(field.Schema);
                    }

                    break;
                case NamedSchema named:
                    yield return named;
                    break;
                case UnionSchema union:
                    foreach (var branch in union.Schemas)
                    {
                        pending.Push(branch);
                    }

                    break;
                case ArraySchema array:
                    pending.Push(array.ItemSchema);
                    break;
                case MapSchema map:
                    pending.Push(map.ValueSchema);
                    break;
            }
        }
    }

    // A named type's full JSON form on its own, every type it uses defined in it: how a file refers to a type it
    // defined earlier differs from file to file.
    private static string Standalone(NamedSchema schema) => schema.ToString();
}
