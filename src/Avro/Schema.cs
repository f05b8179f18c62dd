using System.Text.Json;

namespace CinematicSwitch.Avro;

/// <summary>The Avro schema types of the specification (primitive, complex and named).</summary>
public enum SchemaType
{
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record,
    Enum,
    Array,
    Map,
    Union,
    Fixed,
}

/// <summary>A parsed Avro schema. Instances are immutable once <see cref="Parse"/> returns.</summary>
public abstract class Schema
{
    private static readonly IReadOnlyDictionary<string, JsonElement> NoProperties = new Dictionary<string, JsonElement>();

    private string? _canonical;
    private long? _fingerprint;
    private string? _json;

    private protected Schema(SchemaType type, IReadOnlyDictionary<string, JsonElement>? properties)
    {
        Type = type;
        Properties = properties ?? NoProperties;
    }

    public SchemaType Type { get; }

    /// <summary>The logical type when it is known and valid for its underlying type; otherwise null
    /// (an unknown or invalid <c>logicalType</c> attribute is kept in <see cref="Properties"/>).</summary>
    public string? LogicalType { get; private protected init; }

    /// <summary>Precision of a valid <c>decimal</c> logical type, otherwise 0.</summary>
    public int DecimalPrecision { get; private protected init; }

    /// <summary>Scale of a valid <c>decimal</c> logical type, otherwise 0.</summary>
    public int DecimalScale { get; private protected init; }

    /// <summary>Attributes the specification does not reserve for this schema, kept as written.</summary>
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }

    /// <summary>The name used in messages: a named type's full name, otherwise the type name.</summary>
    public virtual string DisplayName => TypeName(Type);

    public static Schema Parse(string json) => SchemaParser.Parse(json);

    /// <summary>A primitive schema without logical type or properties.</summary>
    public static Schema Create(SchemaType type) => PrimitiveSchema.Get(type);

    /// <summary>Parsing Canonical Form, as the specification defines it.</summary>
    public string ToCanonicalForm() => _canonical ??= SchemaJsonWriter.Canonical(this);

    /// <summary>CRC-64-AVRO (Rabin) fingerprint of the UTF-8 Parsing Canonical Form.</summary>
    public long Fingerprint64() => _fingerprint ??= SchemaFingerprint.Rabin64(ToCanonicalForm());

    public byte[] FingerprintSha256() => SchemaFingerprint.Sha256(ToCanonicalForm());

    public byte[] FingerprintMd5() => SchemaFingerprint.Md5(ToCanonicalForm());

    /// <summary>The full JSON form: docs, defaults, aliases, order, logical types and other properties.</summary>
    public string ToJson() => _json ??= SchemaJsonWriter.Full(this);

    public override string ToString() => ToJson();

    internal static string TypeName(SchemaType type) => type switch
    {
        SchemaType.Null => "null",
        SchemaType.Boolean => "boolean",
        SchemaType.Int => "int",
        SchemaType.Long => "long",
        SchemaType.Float => "float",
        SchemaType.Double => "double",
        SchemaType.Bytes => "bytes",
        SchemaType.String => "string",
        SchemaType.Record => "record",
        SchemaType.Enum => "enum",
        SchemaType.Array => "array",
        SchemaType.Map => "map",
        SchemaType.Union => "union",
        SchemaType.Fixed => "fixed",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

/// <summary>null, boolean, int, long, float, double, bytes or string, possibly with a logical type.</summary>
public sealed class PrimitiveSchema : Schema
{
    private static readonly PrimitiveSchema[] Plain =
    [
        new(SchemaType.Null, null), new(SchemaType.Boolean, null), new(SchemaType.Int, null), new(SchemaType.Long, null),
        new(SchemaType.Float, null), new(SchemaType.Double, null), new(SchemaType.Bytes, null), new(SchemaType.String, null),
    ];

    internal PrimitiveSchema(SchemaType type, IReadOnlyDictionary<string, JsonElement>? properties, string? logicalType = null,
        int precision = 0, int scale = 0)
        : base(type, properties)
    {
        LogicalType = logicalType;
        DecimalPrecision = precision;
        DecimalScale = scale;
    }

    internal bool IsPlain => LogicalType is null && Properties.Count == 0;

    internal static PrimitiveSchema Get(SchemaType type) =>
        type <= SchemaType.String ? Plain[(int)type] : throw new ArgumentException($"'{TypeName(type)}' is not a primitive type", nameof(type));
}

/// <summary>A record, enum or fixed: a type with a full name.</summary>
public abstract class NamedSchema : Schema
{
    private protected NamedSchema(SchemaType type, string fullName, string? doc, IReadOnlyList<string> aliases,
        IReadOnlyDictionary<string, JsonElement>? properties)
        : base(type, properties)
    {
        FullName = fullName;
        var dot = fullName.LastIndexOf('.');
        Name = dot < 0 ? fullName : fullName[(dot + 1)..];
        Namespace = dot < 0 ? null : fullName[..dot];
        Doc = doc;
        Aliases = aliases;
    }

    public string Name { get; }
    public string? Namespace { get; }
    public string FullName { get; }
    public string? Doc { get; }

    /// <summary>Aliases as full names (resolved against this type's namespace).</summary>
    public IReadOnlyList<string> Aliases { get; }

    public override string DisplayName => FullName;
}

public enum SortOrder
{
    Ascending,
    Descending,
    Ignore,
}

/// <summary>A record field.</summary>
public sealed class Field
{
    internal Field(string name, int position, Schema schema, string? doc, JsonElement? defaultValue, SortOrder order,
        IReadOnlyList<string> aliases, IReadOnlyDictionary<string, JsonElement> properties)
    {
        Name = name;
        Position = position;
        Schema = schema;
        Doc = doc;
        DefaultValue = defaultValue;
        Order = order;
        Aliases = aliases;
        Properties = properties;
    }

    public string Name { get; }
    public int Position { get; }
    public Schema Schema { get; }
    public string? Doc { get; }

    /// <summary>The default as written in the schema JSON (validated against the field's type).</summary>
    public JsonElement? DefaultValue { get; }

    public bool HasDefault => DefaultValue.HasValue;
    public SortOrder Order { get; }
    public IReadOnlyList<string> Aliases { get; }
    public IReadOnlyDictionary<string, JsonElement> Properties { get; }

    /// <summary>The default encoded in Avro binary with this field's schema; set once parsing validated it.</summary>
    internal byte[]? DefaultBytes { get; set; }

    /// <summary>The plan that decodes <see cref="DefaultBytes"/> (this field's schema read as itself).</summary>
    internal Resolution.ReadPlan IdentityPlan => _identityPlan ??= Resolution.Resolver.Resolve(Schema, Schema).Plan;

    private Resolution.ReadPlan? _identityPlan;
}

public sealed class RecordSchema : NamedSchema
{
    private IReadOnlyList<Field> _fields = [];
    private Dictionary<string, Field> _byName = new(StringComparer.Ordinal);

    internal RecordSchema(string fullName, string? doc, IReadOnlyList<string> aliases, bool isError,
        IReadOnlyDictionary<string, JsonElement>? properties)
        : base(SchemaType.Record, fullName, doc, aliases, properties) => IsError = isError;

    /// <summary>True for a schema declared with type "error" (encoded exactly like a record).</summary>
    public bool IsError { get; }

    public IReadOnlyList<Field> Fields => _fields;

    public Field? GetField(string name) => _byName.GetValueOrDefault(name);

    // Fields are attached after the record's name is registered, so that they can refer to it.
    internal void SetFields(IReadOnlyList<Field> fields)
    {
        _fields = fields;
        _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }
}

public sealed class EnumSchema : NamedSchema
{
    private readonly Dictionary<string, int> _index;

    internal EnumSchema(string fullName, string? doc, IReadOnlyList<string> aliases, IReadOnlyList<string> symbols,
        string? defaultSymbol, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(SchemaType.Enum, fullName, doc, aliases, properties)
    {
        Symbols = symbols;
        Default = defaultSymbol;
        _index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Count; i++)
        {
            _index[symbols[i]] = i;
        }
    }

    public IReadOnlyList<string> Symbols { get; }

    /// <summary>The symbol a reader uses for a writer symbol it does not know, if any.</summary>
    public string? Default { get; }

    /// <summary>The ordinal of a symbol, or -1.</summary>
    public int IndexOf(string symbol) => _index.GetValueOrDefault(symbol, -1);
}

public sealed class FixedSchema : NamedSchema
{
    internal FixedSchema(string fullName, string? doc, IReadOnlyList<string> aliases, int size,
        IReadOnlyDictionary<string, JsonElement>? properties, string? logicalType, int precision, int scale)
        : base(SchemaType.Fixed, fullName, doc, aliases, properties)
    {
        Size = size;
        LogicalType = logicalType;
        DecimalPrecision = precision;
        DecimalScale = scale;
    }

    public int Size { get; }
}

public sealed class ArraySchema : Schema
{
    internal ArraySchema(Schema items, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(SchemaType.Array, properties) => Items = items;

    public Schema Items { get; }
}

public sealed class MapSchema : Schema
{
    internal MapSchema(Schema values, IReadOnlyDictionary<string, JsonElement>? properties)
        : base(SchemaType.Map, properties) => Values = values;

    public Schema Values { get; }
}

public sealed class UnionSchema : Schema
{
    internal UnionSchema(IReadOnlyList<Schema> branches)
        : base(SchemaType.Union, null) => Branches = branches;

    public IReadOnlyList<Schema> Branches { get; }

    /// <summary>The index of the "null" branch, or -1.</summary>
    public int NullIndex
    {
        get
        {
            for (var i = 0; i < Branches.Count; i++)
            {
                if (Branches[i].Type == SchemaType.Null)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    public override string DisplayName => "[" + string.Join(", ", Branches.Select(b => b.DisplayName)) + "]";
}
