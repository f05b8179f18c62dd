namespace CinematicSwitch.Avro.Resolution;

/// <summary>
/// Applies the specification's schema resolution rules to a (reader, writer) pair. Every rule that fails adds a
/// message naming its location in the reader schema (a JSON pointer) and the rule; the compatibility checks report
/// those messages and the decoders follow the resulting plan.
/// </summary>
internal sealed class Resolver
{
    private readonly Dictionary<(Schema Reader, Schema Writer), RecordPlan> _records = new(PairComparer.Instance);
    private readonly List<string> _errors = [];
    private bool _fatal;

    // Above zero while resolving one branch of a writer union: a failure there only hits data in that branch.
    private int _writerBranchDepth;

    private Resolver()
    {
    }

    public static Resolution Resolve(Schema reader, Schema writer)
    {
        var resolver = new Resolver();
        var plan = resolver.Resolve(reader, writer, "");
        return new Resolution(plan, resolver._errors, resolver._fatal);
    }

    private ReadPlan Resolve(Schema reader, Schema writer, string path)
    {
        if (writer is not UnionSchema writerUnion)
        {
            return ResolveFromSingle(reader, writer, path, null);
        }

        var branches = new ReadPlan[writerUnion.Branches.Count];
        _writerBranchDepth++;
        for (var i = 0; i < branches.Length; i++)
        {
            branches[i] = ResolveFromSingle(reader, writerUnion.Branches[i], path, i);
        }

        _writerBranchDepth--;
        return new WriterUnionPlan(reader, writerUnion, branches);
    }

    // Resolves a writer schema that is not a union; writerBranch names the writer union branch it came from.
    private ReadPlan ResolveFromSingle(Schema reader, Schema writer, string path, int? writerBranch)
    {
        if (reader is UnionSchema readerUnion)
        {
            var branch = SelectBranch(readerUnion, writer);
            return branch < 0
                ? Error(reader, writer, path, $"reader union {reader.DisplayName} has no branch that can read writer type '{writer.DisplayName}'{From(writerBranch)}")
                : new ReaderUnionPlan(readerUnion, writer, branch, Resolve(readerUnion.Branches[branch], writer, $"{path}/{branch}"));
        }

        switch (reader, writer)
        {
            case (RecordSchema r, RecordSchema w):
                return NamesMatch(r, w) ? ResolveRecord(r, w, path) : NameMismatch(r, w, path, writerBranch);
            case (EnumSchema r, EnumSchema w):
                return NamesMatch(r, w) ? ResolveEnum(r, w, path) : NameMismatch(r, w, path, writerBranch);
            case (FixedSchema r, FixedSchema w):
                if (!NamesMatch(r, w))
                {
                    return NameMismatch(r, w, path, writerBranch);
                }

                return r.Size == w.Size
                    ? new FixedPlan(r, w)
                    : Error(r, w, path + "/size", $"reader fixed '{r.FullName}' has size {r.Size} but the writer's has size {w.Size}{From(writerBranch)}");
            case (ArraySchema r, ArraySchema w):
                return new ArrayPlan(r, w, Resolve(r.Items, w.Items, path + "/items"));
            case (MapSchema r, MapSchema w):
                return new MapPlan(r, w, Resolve(r.Values, w.Values, path + "/values"));
            default:
                return IsPrimitive(reader.Type) && CanPromote(writer.Type, reader.Type)
                    ? new PrimitivePlan(reader, writer)
                    : Error(reader, writer, path, $"reader type '{reader.DisplayName}' cannot read writer type '{writer.DisplayName}'{From(writerBranch)}");
        }
    }

    private RecordPlan ResolveRecord(RecordSchema reader, RecordSchema writer, string path)
    {
        if (_records.TryGetValue((reader, writer), out var existing))
        {
            return existing;
        }

        // Registered before the fields are resolved, so that recursive records end in this same plan.
        var plan = new RecordPlan(reader, writer);
        _records[(reader, writer)] = plan;

        var readerFieldFor = new Dictionary<Field, Field>();
        var defaults = new List<Field>();
        foreach (var readerField in reader.Fields)
        {
            var writerField = writer.GetField(readerField.Name)
                ?? readerField.Aliases.Select(writer.GetField).FirstOrDefault(f => f is not null);
            if (writerField is not null && !readerFieldFor.ContainsKey(writerField))
            {
                readerFieldFor[writerField] = readerField;
            }
            else if (readerField.HasDefault)
            {
                defaults.Add(readerField);
            }
            else
            {
                plan.Failure ??= Error(readerField.Schema, writer, $"{path}/fields/{readerField.Position}",
                    $"reader field '{readerField.Name}' has no default and is missing from the writer record '{writer.FullName}'").Message;
            }
        }

        var steps = new List<RecordStep>(writer.Fields.Count);
        foreach (var writerField in writer.Fields)
        {
            steps.Add(readerFieldFor.TryGetValue(writerField, out var readerField)
                ? new RecordStep(writerField, readerField,
                    Resolve(readerField.Schema, writerField.Schema, $"{path}/fields/{readerField.Position}/type"))
                : new RecordStep(writerField, null, null));
        }

        plan.Steps = steps;
        plan.Defaults = defaults;
        return plan;
    }

    private EnumPlan ResolveEnum(EnumSchema reader, EnumSchema writer, string path)
    {
        var ordinals = new int[writer.Symbols.Count];
        var errors = new string?[writer.Symbols.Count];
        var defaultOrdinal = reader.Default is null ? -1 : reader.IndexOf(reader.Default);
        var missing = new List<string>();
        for (var i = 0; i < ordinals.Length; i++)
        {
            ordinals[i] = reader.IndexOf(writer.Symbols[i]);
            if (ordinals[i] < 0)
            {
                ordinals[i] = defaultOrdinal;
                if (defaultOrdinal < 0)
                {
                    missing.Add(writer.Symbols[i]);
                    errors[i] = $"writer symbol '{writer.Symbols[i]}' is not a symbol of reader enum '{reader.FullName}', which has no default";
                }
            }
        }

        if (missing.Count > 0)
        {
            // Only data holding these symbols fails, so this never makes the whole resolution fail.
            _errors.Add($"{Where(path + "/symbols")} writer enum '{writer.FullName}' has symbols [{string.Join(", ", missing)}] that reader enum '{reader.FullName}' lacks, and the reader has no default symbol");
        }

        return new EnumPlan(reader, writer, ordinals, errors);
    }

    /// <summary>The reader union branch for a writer value: the branch of the same type (and name) if there is one,
    /// else one whose name matches through an alias or short name, else the first one the value promotes to. Exact
    /// matches come first so that, as in the Java implementation, an int is not widened when the union has an int.</summary>
    private static int SelectBranch(UnionSchema reader, Schema writer)
    {
        var branches = reader.Branches;
        for (var i = 0; i < branches.Count; i++)
        {
            var branch = branches[i];
            if (branch.Type == writer.Type && (branch is not NamedSchema named || named.FullName == ((NamedSchema)writer).FullName))
            {
                return i;
            }
        }

        for (var i = 0; i < branches.Count; i++)
        {
            if (branches[i] is NamedSchema named && named.Type == writer.Type && NamesMatch(named, (NamedSchema)writer))
            {
                return i;
            }
        }

        for (var i = 0; i < branches.Count; i++)
        {
            if (IsPrimitive(branches[i].Type) && CanPromote(writer.Type, branches[i].Type))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Named types match by unqualified name, or when a reader alias names the writer type.</summary>
    internal static bool NamesMatch(NamedSchema reader, NamedSchema writer) =>
        reader.Name == writer.Name
        || reader.Aliases.Any(a => a == writer.FullName || ShortName(a) == writer.Name);

    internal static bool CanPromote(SchemaType writer, SchemaType reader) => writer == reader || (writer, reader) switch
    {
        (SchemaType.Int, SchemaType.Long or SchemaType.Float or SchemaType.Double) => true,
        (SchemaType.Long, SchemaType.Float or SchemaType.Double) => true,
        (SchemaType.Float, SchemaType.Double) => true,
        (SchemaType.String, SchemaType.Bytes) or (SchemaType.Bytes, SchemaType.String) => true,
        _ => false,
    };

    internal static bool IsPrimitive(SchemaType type) => type <= SchemaType.String;

    private static string ShortName(string fullName) => fullName[(fullName.LastIndexOf('.') + 1)..];

    private ErrorPlan NameMismatch(NamedSchema reader, NamedSchema writer, string path, int? writerBranch) =>
        Error(reader, writer, path + "/name",
            $"reader {Schema.TypeName(reader.Type)} name '{reader.FullName}' does not match writer name '{writer.FullName}' (no reader alias names it){From(writerBranch)}");

    private ErrorPlan Error(Schema reader, Schema writer, string path, string message)
    {
        var text = $"{Where(path)} {message}";
        _errors.Add(text);
        if (_writerBranchDepth == 0)
        {
            _fatal = true;
        }

        return new ErrorPlan(reader, writer, text);
    }

    private static string Where(string path) => path.Length == 0 ? "/" : path;

    private static string From(int? writerBranch) => writerBranch is { } i ? $" (writer union branch {i})" : "";

    private sealed class PairComparer : IEqualityComparer<(Schema Reader, Schema Writer)>
    {
        public static readonly PairComparer Instance = new();

        public bool Equals((Schema Reader, Schema Writer) x, (Schema Reader, Schema Writer) y) =>
            ReferenceEquals(x.Reader, y.Reader) && ReferenceEquals(x.Writer, y.Writer);

        public int GetHashCode((Schema Reader, Schema Writer) obj) =>
            HashCode.Combine(ReferenceEqualityComparer.Instance.GetHashCode(obj.Reader), ReferenceEqualityComparer.Instance.GetHashCode(obj.Writer));
    }
}
