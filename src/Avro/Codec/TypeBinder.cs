using System.Reflection;

namespace CinematicSwitch.Avro.Codec;

/// <summary>How a C# value is represented in a schema that is not a record, enum, array, map or union.</summary>
internal enum ScalarKind
{
    Boolean,
    Int,
    Long,
    Float,
    Double,
    String,
    Bytes,
    Guid,
    Date,
    TimeMillis,
    TimeMicros,
    TimestampMillis,
    TimestampMicros,
    LocalTimestampMillis,
    LocalTimestampMicros,
    DecimalBytes,
    DecimalFixed,
    Fixed,
    Duration,
}

/// <summary>A checked correspondence between a schema and a C# type, from which the codec is compiled.</summary>
internal abstract class Binding(Schema schema, Type clrType)
{
    public Schema Schema { get; } = schema;
    public Type ClrType { get; } = clrType;
}

internal sealed class ScalarBinding(Schema schema, Type clrType, ScalarKind kind) : Binding(schema, clrType)
{
    public ScalarKind Kind { get; } = kind;
}

internal sealed class EnumBinding(EnumSchema schema, Type clrType, Array valuesByOrdinal) : Binding(schema, clrType)
{
    /// <summary>The C# enum value of each schema symbol, by ordinal (a typed array of the enum type).</summary>
    public Array ValuesByOrdinal { get; } = valuesByOrdinal;
}

internal sealed class ArrayBinding(Schema schema, Type clrType, Binding items) : Binding(schema, clrType)
{
    public Binding Items { get; } = items;
}

internal sealed class MapBinding(Schema schema, Type clrType, Binding values) : Binding(schema, clrType)
{
    public Binding Values { get; } = values;
}

/// <summary>A union of null and one other branch, bound to a nullable C# type.</summary>
internal sealed class NullableBinding(UnionSchema schema, Type clrType, int nullBranch, Binding inner) : Binding(schema, clrType)
{
    public int NullBranch { get; } = nullBranch;
    public int ValueBranch { get; } = 1 - nullBranch;
    public Binding Inner { get; } = inner;
}

internal sealed record MemberMap(Field Field, PropertyInfo Property, Binding Binding, int ConstructorIndex);

internal sealed class RecordBinding(RecordSchema schema, Type clrType) : Binding(schema, clrType)
{
    public new RecordSchema Schema => (RecordSchema)base.Schema;

    /// <summary>By schema field position.</summary>
    public IReadOnlyList<MemberMap> Members { get; set; } = [];

    public ConstructorInfo? Constructor { get; set; }
}

/// <summary>
/// Binds C# types to schemas and lists every difference: schema fields without a member, members without a
/// field, and members whose type cannot hold the field's schema.
/// </summary>
internal sealed class TypeBinder
{
    private readonly NullabilityInfoContext _nullability = new();
    private readonly Dictionary<(Schema, Type), RecordBinding> _records = [];
    private readonly List<string> _errors = [];

    public static RecordBinding Bind(RecordSchema schema, Type type)
    {
        var binder = new TypeBinder();
        var binding = binder.BindRecord(schema, type);
        return binder._errors.Count == 0
            ? binding
            : throw new AvroMappingException(
                $"{Naming.Describe(type)} does not match schema '{schema.FullName}':{Environment.NewLine}- " +
                string.Join(Environment.NewLine + "- ", binder._errors));
    }

    private RecordBinding BindRecord(RecordSchema schema, Type type)
    {
        if (_records.TryGetValue((schema, type), out var existing))
        {
            return existing;
        }

        var binding = new RecordBinding(schema, type);
        _records[(schema, type)] = binding;
        if (type.IsValueType || type.IsAbstract || type.IsInterface || type == typeof(string))
        {
            _errors.Add($"{Naming.Describe(type)}: record '{schema.FullName}' needs a class or record class");
            return binding;
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.GetCustomAttribute<AvroIgnoreAttribute>() is null)
            .ToList();

        var members = new MemberMap?[schema.Fields.Count];
        var claimed = new Dictionary<Field, PropertyInfo>();
        foreach (var property in properties)
        {
            var explicitName = property.GetCustomAttribute<AvroFieldAttribute>()?.Name;
            var field = explicitName is not null
                ? schema.GetField(explicitName)
                : schema.GetField(Naming.ToSnakeCase(property.Name)) ?? schema.GetField(Naming.CamelCase(property.Name)) ?? schema.GetField(property.Name);
            var where = $"{Naming.Describe(type)}.{property.Name}";
            if (field is null)
            {
                _errors.Add($"{where} has no field in record '{schema.FullName}' (expected a field named '{explicitName ?? Naming.ToSnakeCase(property.Name)}')");
                continue;
            }

            if (claimed.TryGetValue(field, out var other))
            {
                _errors.Add($"{where} and {Naming.Describe(type)}.{other.Name} both map to field '{field.Name}'");
                continue;
            }

            claimed[field] = property;
            var memberBinding = Bind(field.Schema, property.PropertyType, _nullability.Create(property),
                $"{where} (field '{field.Name}' at /fields/{field.Position})");
            if (memberBinding is not null)
            {
                members[field.Position] = new MemberMap(field, property, memberBinding, -1);
            }
        }

        foreach (var field in schema.Fields.Where(f => !claimed.ContainsKey(f)))
        {
            _errors.Add($"field '{field.Name}' (/fields/{field.Position}) of record '{schema.FullName}' has no property on {Naming.Describe(type)} " +
                $"(expected a property named '{ToPascalCase(field.Name)}' or one marked [AvroField(\"{field.Name}\")])");
        }

        if (members.All(m => m is not null))
        {
            BindConstructor(binding, members!);
        }

        return binding;
    }

    // The constructor with the most parameters that all name mapped properties; the other properties need a setter.
    private void BindConstructor(RecordBinding binding, MemberMap[] members)
    {
        var type = binding.ClrType;
        foreach (var constructor in type.GetConstructors().OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = constructor.GetParameters();
            var indexes = parameters.Select(p => Array.FindIndex(members, m =>
                string.Equals(m.Property.Name, p.Name, StringComparison.OrdinalIgnoreCase) && m.Property.PropertyType == p.ParameterType)).ToArray();
            if (indexes.Any(i => i < 0))
            {
                continue;
            }

            var bound = members.Select(m => m with { ConstructorIndex = Array.IndexOf(indexes, m.Field.Position) }).ToArray();
            var unsettable = bound.Where(m => m.ConstructorIndex < 0 && m.Property.SetMethod is not { IsPublic: true }).ToList();
            if (unsettable.Count > 0)
            {
                _errors.Add($"{Naming.Describe(type)}: properties {string.Join(", ", unsettable.Select(m => m.Property.Name))} " +
                    "are neither constructor parameters nor settable (set or init)");
                return;
            }

            binding.Constructor = constructor;
            binding.Members = bound;
            return;
        }

        _errors.Add($"{Naming.Describe(type)} has no public constructor whose parameters all match mapped properties");
    }

    // unwrapped: the type is the non-null side of a nullable member whose null the union already took.
    private Binding? Bind(Schema schema, Type type, NullabilityInfo? nullability, string where, bool unwrapped = false)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        var clrNullable = !unwrapped && (underlying is not null || (!type.IsValueType && nullability?.ReadState == NullabilityState.Nullable));
        var clrMayBeNull = !unwrapped && (underlying is not null || (!type.IsValueType && nullability?.ReadState != NullabilityState.NotNull));

        if (schema is UnionSchema union)
        {
            if (union.Branches.Count != 2 || union.NullIndex < 0)
            {
                return Mismatch(where, type, schema, "the typed codec maps only unions of null and one other type (to nullable members)");
            }

            if (!clrMayBeNull)
            {
                return Mismatch(where, type, schema, $"the schema allows null, so the member must be nullable ({Naming.Describe(type)}?)");
            }

            var inner = Bind(union.Branches[1 - union.NullIndex], underlying ?? type, nullability, where, unwrapped: true);
            return inner is null ? null : new NullableBinding(union, type, union.NullIndex, inner);
        }

        if (clrNullable)
        {
            return Mismatch(where, type, schema, "the member is nullable but the schema is not a union with null");
        }

        switch (schema)
        {
            case RecordSchema record:
                return BindRecord(record, type);
            case EnumSchema enumSchema:
                return BindEnum(enumSchema, type, where);
            case ArraySchema array:
                var element = ElementType(type);
                if (element is null)
                {
                    return Mismatch(where, type, schema, "an array maps to T[], List<T>, IReadOnlyList<T>, IList<T>, IReadOnlyCollection<T>, ICollection<T> or IEnumerable<T>");
                }

                var itemNullability = type.IsArray ? nullability?.ElementType : nullability?.GenericTypeArguments.FirstOrDefault();
                var items = Bind(array.Items, element, itemNullability, where + " items");
                return items is null ? null : new ArrayBinding(array, type, items);
            case MapSchema map:
                var valueType = MapValueType(type);
                if (valueType is null)
                {
                    return Mismatch(where, type, schema, "a map maps to Dictionary<string, T>, IReadOnlyDictionary<string, T> or IDictionary<string, T>");
                }

                var values = Bind(map.Values, valueType, nullability?.GenericTypeArguments.ElementAtOrDefault(1), where + " values");
                return values is null ? null : new MapBinding(map, type, values);
        }

        var kinds = ScalarKinds(schema);
        var match = kinds.FirstOrDefault(k => k.Type == type);
        return match.Type is not null
            ? new ScalarBinding(schema, type, match.Kind)
            : Mismatch(where, type, schema, kinds.Count == 0
                ? "the typed codec has no mapping for this schema"
                : "expected " + string.Join(" or ", kinds.Select(k => Naming.Describe(k.Type))));
    }

    private Binding? BindEnum(EnumSchema schema, Type type, string where)
    {
        if (!type.IsEnum)
        {
            return Mismatch(where, type, schema, "an enum maps to a C# enum");
        }

        var members = type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (Symbol: f.GetCustomAttribute<AvroSymbolAttribute>()?.Symbol ?? Naming.ToUpperSnakeCase(f.Name), Value: f.GetValue(null)!, f.Name))
            .ToList();
        var values = Array.CreateInstance(type, schema.Symbols.Count);
        var problems = new List<string>();
        for (var i = 0; i < schema.Symbols.Count; i++)
        {
            var member = members.FindIndex(m => m.Symbol == schema.Symbols[i]);
            if (member < 0)
            {
                problems.Add($"symbol {schema.Symbols[i]} has no member");
            }
            else
            {
                values.SetValue(members[member].Value, i);
            }
        }

        problems.AddRange(members.Where(m => schema.IndexOf(m.Symbol) < 0).Select(m => $"member {m.Name} (symbol {m.Symbol}) is not a symbol of the schema"));
        if (problems.Count > 0)
        {
            _errors.Add($"{where}: enum {Naming.Describe(type)} does not match enum '{schema.FullName}': {string.Join("; ", problems)}");
            return null;
        }

        return new EnumBinding(schema, type, values);
    }

    private static List<(Type Type, ScalarKind Kind)> ScalarKinds(Schema schema) => (schema.Type, schema.LogicalType) switch
    {
        (SchemaType.Boolean, _) => [(typeof(bool), ScalarKind.Boolean)],
        (SchemaType.Int, LogicalTypes.Date) => [(typeof(DateOnly), ScalarKind.Date), (typeof(int), ScalarKind.Int)],
        (SchemaType.Int, LogicalTypes.TimeMillis) => [(typeof(TimeOnly), ScalarKind.TimeMillis), (typeof(int), ScalarKind.Int)],
        (SchemaType.Int, _) => [(typeof(int), ScalarKind.Int)],
        (SchemaType.Long, LogicalTypes.TimeMicros) => [(typeof(TimeOnly), ScalarKind.TimeMicros), (typeof(long), ScalarKind.Long)],
        (SchemaType.Long, LogicalTypes.TimestampMillis) => [(typeof(DateTimeOffset), ScalarKind.TimestampMillis), (typeof(long), ScalarKind.Long)],
        (SchemaType.Long, LogicalTypes.TimestampMicros) => [(typeof(DateTimeOffset), ScalarKind.TimestampMicros), (typeof(long), ScalarKind.Long)],
        (SchemaType.Long, LogicalTypes.LocalTimestampMillis) => [(typeof(DateTime), ScalarKind.LocalTimestampMillis), (typeof(long), ScalarKind.Long)],
        (SchemaType.Long, LogicalTypes.LocalTimestampMicros) => [(typeof(DateTime), ScalarKind.LocalTimestampMicros), (typeof(long), ScalarKind.Long)],
        (SchemaType.Long, _) => [(typeof(long), ScalarKind.Long)],
        (SchemaType.Float, _) => [(typeof(float), ScalarKind.Float)],
        (SchemaType.Double, _) => [(typeof(double), ScalarKind.Double)],
        (SchemaType.Bytes, LogicalTypes.Decimal) => [(typeof(decimal), ScalarKind.DecimalBytes), (typeof(byte[]), ScalarKind.Bytes)],
        (SchemaType.Bytes, _) => [(typeof(byte[]), ScalarKind.Bytes)],
        (SchemaType.String, LogicalTypes.Uuid) => [(typeof(Guid), ScalarKind.Guid), (typeof(string), ScalarKind.String)],
        (SchemaType.String, _) => [(typeof(string), ScalarKind.String)],
        (SchemaType.Fixed, LogicalTypes.Decimal) => [(typeof(decimal), ScalarKind.DecimalFixed), (typeof(byte[]), ScalarKind.Fixed)],
        (SchemaType.Fixed, LogicalTypes.Duration) => [(typeof(AvroDuration), ScalarKind.Duration), (typeof(byte[]), ScalarKind.Fixed)],
        (SchemaType.Fixed, _) => [(typeof(byte[]), ScalarKind.Fixed)],
        _ => [],
    };

    internal static Type? ElementType(Type type)
    {
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            return type.GetElementType();
        }

        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>)
            || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>)
            ? type.GetGenericArguments()[0]
            : null;
    }

    internal static Type? MapValueType(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        var arguments = type.GetGenericArguments();
        return (definition == typeof(Dictionary<,>) || definition == typeof(IReadOnlyDictionary<,>) || definition == typeof(IDictionary<,>))
            && arguments[0] == typeof(string)
            ? arguments[1]
            : null;
    }

    private Binding? Mismatch(string where, Type type, Schema schema, string detail)
    {
        _errors.Add($"{where}: {Naming.Describe(type)} cannot hold schema {schema.ToJson()}: {detail}");
        return null;
    }

    private static string ToPascalCase(string name) =>
        string.Concat(name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}
