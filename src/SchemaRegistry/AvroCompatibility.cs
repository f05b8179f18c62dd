using System.Text.Json;
using Avro;
using AvroSchema = Avro.Schema;
using Level = Confluent.SchemaRegistry.Compatibility;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>
/// Whether data written with one Avro schema can be read with another, by the specification's schema resolution
/// rules, with a message for every rule that fails; and the registry's compatibility levels built on it.
/// </summary>
/// <remarks>
/// Hand-written because Apache.Avro has no compatibility checker: its <c>Schema.CanRead</c> answers only yes or no,
/// takes any union as readable by any union, leaves enum symbols unchecked, refuses a logical type against its
/// underlying type, and lacks the string/bytes promotion. Schemas are Apache.Avro's parsed ones.
/// </remarks>
public static class AvroCompatibility
{
    /// <summary>Why data written with <paramref name="writer"/> cannot always be read with <paramref name="reader"/>;
    /// empty when it can. Locations are JSON pointers into the reader schema.</summary>
    public static IReadOnlyList<string> ReadProblems(AvroSchema reader, AvroSchema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var check = new Resolution();
        check.Resolve(reader, writer, "");
        return check.Problems;
    }

    /// <summary>
    /// Checks a candidate schema against a subject's existing versions (oldest first): BACKWARD means the candidate
    /// can read the latest version, FORWARD that the latest can read the candidate, FULL both; the transitive levels
    /// check every existing version instead of the latest only. NONE accepts everything.
    /// </summary>
    public static IReadOnlyList<string> Check(Level level, AvroSchema candidate, IReadOnlyList<AvroSchema> existingOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existingOldestFirst);
        var transitive = level is Level.BackwardTransitive or Level.ForwardTransitive
            or Level.FullTransitive;
        var backward = level is Level.Backward or Level.BackwardTransitive
            or Level.Full or Level.FullTransitive;
        var forward = level is Level.Forward or Level.ForwardTransitive
            or Level.Full or Level.FullTransitive;

        var problems = new List<string>();
        var count = existingOldestFirst.Count;
        for (var i = transitive ? 0 : Math.Max(count - 1, 0); i < count; i++)
        {
            var label = $"existing schema {i + 1} of {count} (oldest first)";
            if (backward)
            {
                problems.AddRange(ReadProblems(candidate, existingOldestFirst[i]).Select(p => $"BACKWARD: the new schema cannot read data written with {label}: {p}"));
            }

            if (forward)
            {
                problems.AddRange(ReadProblems(existingOldestFirst[i], candidate).Select(p => $"FORWARD: {label} cannot read data written with the new schema: {p}"));
            }
        }

        return problems;
    }

    private sealed class Resolution
    {
        // Records already being resolved: a recursive record resolves once.
        private readonly HashSet<(AvroSchema Reader, AvroSchema Writer)> _records = new(PairComparer.Instance);

        public List<string> Problems { get; } = [];

        public void Resolve(AvroSchema reader, AvroSchema writer, string path)
        {
            // Logical types resolve as their underlying types.
            reader = Underlying(reader);
            writer = Underlying(writer);
            if (writer is UnionSchema writerUnion)
            {
                // Every branch the writer may have taken must be readable.
                for (var i = 0; i < writerUnion.Count; i++)
                {
                    ResolveSingle(reader, Underlying(writerUnion[i]), path, $" (writer union branch {i})");
                }

                return;
            }

            ResolveSingle(reader, writer, path, "");
        }

        private void ResolveSingle(AvroSchema reader, AvroSchema writer, string path, string branch)
        {
            if (reader is UnionSchema readerUnion)
            {
                var index = SelectBranch(readerUnion, writer);
                if (index < 0)
                {
                    Problem(path, $"reader union {Describe(reader)} has no branch that can read writer type '{Describe(writer)}'{branch}");
                    return;
                }

                Resolve(readerUnion[index], writer, $"{path}/{index}");
                return;
            }

            switch (reader, writer)
            {
                case (RecordSchema r, RecordSchema w):
                    if (NameMismatch(r, w, path, branch) || !_records.Add((r, w)))
                    {
                        return;
                    }

                    foreach (var readerField in r.Fields)
                    {
                        var writerField = FieldOf(w, readerField);
                        if (writerField is not null)
                        {
                            Resolve(readerField.Schema, writerField.Schema, $"{path}/fields/{readerField.Pos}/type");
                        }
                        else if (readerField.DefaultValue is null)
                        {
                            Problem($"{path}/fields/{readerField.Pos}",
                                $"reader field '{readerField.Name}' has no default and is missing from the writer record '{w.Fullname}'");
                        }
                    }

                    return;
                case (EnumSchema r, EnumSchema w):
                    if (NameMismatch(r, w, path, branch) || r.Default is not null)
                    {
                        return;
                    }

                    var missing = w.Symbols.Where(s => !r.Contains(s)).ToList();
                    if (missing.Count > 0)
                    {
                        Problem($"{path}/symbols",
                            $"writer enum '{w.Fullname}' has symbols [{string.Join(", ", missing)}] that reader enum '{r.Fullname}' lacks, and the reader has no default symbol");
                    }

                    return;
                case (FixedSchema r, FixedSchema w):
                    if (!NameMismatch(r, w, path, branch) && r.Size != w.Size)
                    {
                        Problem($"{path}/size", $"reader fixed '{r.Fullname}' has size {r.Size} but the writer's has size {w.Size}{branch}");
                    }

                    return;
                case (ArraySchema r, ArraySchema w):
                    Resolve(r.ItemSchema, w.ItemSchema, path + "/items");
                    return;
                case (MapSchema r, MapSchema w):
                    Resolve(r.ValueSchema, w.ValueSchema, path + "/values");
                    return;
                default:
                    if (!(IsPrimitive(reader) && CanPromote(writer.Tag, reader.Tag)))
                    {
                        Problem(path, $"reader type '{Describe(reader)}' cannot read writer type '{Describe(writer)}'{branch}");
                    }

                    return;
            }
        }

        private bool NameMismatch(NamedSchema reader, NamedSchema writer, string path, string branch)
        {
            if (NamesMatch(reader, writer))
            {
                return false;
            }

            Problem(path + "/name", $"reader {reader.Tag.ToString().ToLowerInvariant()} name '{reader.Fullname}' does not match writer name '{writer.Fullname}' (no reader alias names it){branch}");
            return true;
        }

        private void Problem(string path, string message) => Problems.Add($"{(path.Length == 0 ? "/" : path)} {message}");
    }

    /// <summary>The writer field a reader field reads: by name, else by one of the reader field's aliases.</summary>
    private static Field? FieldOf(RecordSchema writer, Field readerField)
    {
        if (writer.TryGetField(readerField.Name, out var field))
        {
            return field;
        }

        return readerField.Aliases?.Select(a => writer.TryGetField(a, out var aliased) ? aliased : null).FirstOrDefault(f => f is not null);
    }

    /// <summary>The reader union branch for a writer value: one of the same type (and name), else one whose name
    /// matches through an alias or short name, else the first one the value promotes to.</summary>
    private static int SelectBranch(UnionSchema reader, AvroSchema writer)
    {
        for (var i = 0; i < reader.Count; i++)
        {
            var branch = Underlying(reader[i]);
            if (branch.Tag == writer.Tag && (branch is not NamedSchema named || named.Fullname == ((NamedSchema)writer).Fullname))
            {
                return i;
            }
        }

        for (var i = 0; i < reader.Count; i++)
        {
            if (Underlying(reader[i]) is NamedSchema named && named.Tag == writer.Tag && NamesMatch(named, (NamedSchema)writer))
            {
                return i;
            }
        }

        for (var i = 0; i < reader.Count; i++)
        {
            var branch = Underlying(reader[i]);
            if (IsPrimitive(branch) && CanPromote(writer.Tag, branch.Tag))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Named types match by unqualified name, or when a reader alias names the writer type.</summary>
    private static bool NamesMatch(NamedSchema reader, NamedSchema writer) =>
        reader.Name == writer.Name || Aliases(reader).Any(a => a == writer.Fullname || a[(a.LastIndexOf('.') + 1)..] == writer.Name);

    // Apache.Avro keeps a named type's aliases private; its JSON form names them.
    private static List<string> Aliases(NamedSchema schema)
    {
        using var json = JsonDocument.Parse(schema.ToString());
        if (!json.RootElement.TryGetProperty("aliases", out var aliases) || aliases.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return aliases.EnumerateArray()
            .Select(a => a.GetString() ?? "")
            .Select(a => a.Contains('.', StringComparison.Ordinal) || string.IsNullOrEmpty(schema.Namespace) ? a : $"{schema.Namespace}.{a}")
            .ToList();
    }

    private static bool CanPromote(AvroSchema.Type writer, AvroSchema.Type reader) => writer == reader || (writer, reader) switch
    {
        (AvroSchema.Type.Int, AvroSchema.Type.Long or AvroSchema.Type.Float or AvroSchema.Type.Double) => true,
        (AvroSchema.Type.Long, AvroSchema.Type.Float or AvroSchema.Type.Double) => true,
        (AvroSchema.Type.Float, AvroSchema.Type.Double) => true,
        (AvroSchema.Type.String, AvroSchema.Type.Bytes) or (AvroSchema.Type.Bytes, AvroSchema.Type.String) => true,
        _ => false,
    };

    private static bool IsPrimitive(AvroSchema schema) => schema is PrimitiveSchema;

    private static AvroSchema Underlying(AvroSchema schema) => schema is LogicalSchema logical ? logical.BaseSchema : schema;

    private static string Describe(AvroSchema schema) => schema switch
    {
        NamedSchema named => named.Fullname,
        UnionSchema union => "[" + string.Join(", ", union.Schemas.Select(Describe)) + "]",
        ArraySchema array => $"array<{Describe(array.ItemSchema)}>",
        MapSchema map => $"map<{Describe(map.ValueSchema)}>",
        LogicalSchema logical => Describe(logical.BaseSchema),
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };

    private sealed class PairComparer : IEqualityComparer<(AvroSchema Reader, AvroSchema Writer)>
    {
        public static readonly PairComparer Instance = new();

        // Schemas compare by reference here: Apache.Avro's own equality walks the whole schema.
        public bool Equals((AvroSchema Reader, AvroSchema Writer) x, (AvroSchema Reader, AvroSchema Writer) y) =>
            ReferenceEquals(x.Reader, y.Reader) && ReferenceEquals(x.Writer, y.Writer);

        public int GetHashCode((AvroSchema Reader, AvroSchema Writer) obj) =>
            HashCode.Combine(ReferenceEqualityComparer.Instance.GetHashCode(obj.Reader), ReferenceEqualityComparer.Instance.GetHashCode(obj.Writer));
    }
}
