using System.Text.Json;

namespace CinematicSwitch.Avro;

/// <summary>Parses schema JSON. Every error names the JSON location (a JSON pointer) it was found at.</summary>
internal sealed class SchemaParser
{
    private static readonly Dictionary<string, SchemaType> Primitives = new(StringComparer.Ordinal)
    {
        ["null"] = SchemaType.Null,
        ["boolean"] = SchemaType.Boolean,
        ["int"] = SchemaType.Int,
        ["long"] = SchemaType.Long,
        ["float"] = SchemaType.Float,
        ["double"] = SchemaType.Double,
        ["bytes"] = SchemaType.Bytes,
        ["string"] = SchemaType.String,
    };

    private static readonly HashSet<string> NamedReserved = ["type", "name", "namespace", "doc", "aliases"];
    private static readonly HashSet<string> RecordReserved = [.. NamedReserved, "fields"];
    private static readonly HashSet<string> EnumReserved = [.. NamedReserved, "symbols", "default"];
    private static readonly HashSet<string> FixedReserved = [.. NamedReserved, "size"];
    private static readonly HashSet<string> FieldReserved = ["name", "type", "doc", "default", "order", "aliases"];

    private readonly Dictionary<string, NamedSchema> _named = new(StringComparer.Ordinal);
    private readonly List<(Field Field, string Path)> _defaults = [];

    public static Schema Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new SchemaParseException($"Schema is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var parser = new SchemaParser();
            var schema = parser.ParseSchema(document.RootElement, null, "");

            // Defaults are checked once every named type is complete: a default may hold a recursive record.
            foreach (var (field, path) in parser._defaults)
            {
                field.DefaultBytes = DefaultValueEncoder.Encode(field.Schema, field.DefaultValue!.Value, path);
            }

            return schema;
        }
    }

    internal static bool IsPrimitiveName(string name) => Primitives.ContainsKey(name);

    private static SchemaParseException Fail(string path, string message) =>
        new($"Invalid schema at {(path.Length == 0 ? "/" : path)}: {message}");

    private Schema ParseSchema(JsonElement json, string? enclosingNamespace, string path)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                return ResolveReference(json.GetString()!, enclosingNamespace, path);
            case JsonValueKind.Array:
                return ParseUnion(json, enclosingNamespace, path);
            case JsonValueKind.Object:
                break;
            default:
                throw Fail(path, $"expected a type name, a union (JSON array) or a schema object, found {Describe(json)}");
        }

        if (!json.TryGetProperty("type", out var typeElement))
        {
            throw Fail(path, "schema object has no \"type\" attribute");
        }

        if (typeElement.ValueKind != JsonValueKind.String)
        {
            // A nested schema as "type" (as in {"type": {"type": "int"}}) is accepted by other implementations.
            return typeElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array
                ? ParseSchema(typeElement, enclosingNamespace, path + "/type")
                : throw Fail(path + "/type", $"\"type\" must be a string, found {Describe(typeElement)}");
        }

        var type = typeElement.GetString()!;
        if (Primitives.TryGetValue(type, out var primitive))
        {
            return ParsePrimitive(json, primitive, path);
        }

        return type switch
        {
            "record" or "error" => ParseRecord(json, type == "error", enclosingNamespace, path),
            "enum" => ParseEnum(json, enclosingNamespace, path),
            "fixed" => ParseFixed(json, enclosingNamespace, path),
            "array" => new ArraySchema(
                ParseSchema(Required(json, "items", path), enclosingNamespace, path + "/items"),
                ExtraProperties(json, ["type", "items"])),
            "map" => new MapSchema(
                ParseSchema(Required(json, "values", path), enclosingNamespace, path + "/values"),
                ExtraProperties(json, ["type", "values"])),
            _ => ResolveReference(type, enclosingNamespace, path + "/type"),
        };
    }

    private Schema ResolveReference(string name, string? enclosingNamespace, string path)
    {
        if (Primitives.TryGetValue(name, out var primitive))
        {
            return PrimitiveSchema.Get(primitive);
        }

        if (!name.Contains('.', StringComparison.Ordinal) && enclosingNamespace is not null
            && _named.TryGetValue(enclosingNamespace + "." + name, out var inNamespace))
        {
            return inNamespace;
        }

        return _named.TryGetValue(name, out var named)
            ? named
            : throw Fail(path, $"unknown type '{name}'" + (enclosingNamespace is null ? "" : $" (looked up in namespace '{enclosingNamespace}' and the null namespace)"));
    }

    private static PrimitiveSchema ParsePrimitive(JsonElement json, SchemaType type, string path)
    {
        var properties = ExtraProperties(json, ["type"]);
        if (properties is null)
        {
            return PrimitiveSchema.Get(type);
        }

        var (logical, precision, scale) = LogicalTypes.Resolve(type, 0, properties);
        return new PrimitiveSchema(type, properties.Count == 0 ? null : properties, logical, precision, scale);
    }

    private UnionSchema ParseUnion(JsonElement json, string? enclosingNamespace, string path)
    {
        var branches = new List<Schema>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var element in json.EnumerateArray())
        {
            var branchPath = $"{path}/{index++}";
            var branch = ParseSchema(element, enclosingNamespace, branchPath);
            if (branch.Type == SchemaType.Union)
            {
                throw Fail(branchPath, "a union may not immediately contain another union");
            }

            var key = branch is NamedSchema named ? named.FullName : Schema.TypeName(branch.Type);
            if (!seen.Add(key))
            {
                throw Fail(branchPath, $"union contains '{key}' more than once");
            }

            branches.Add(branch);
        }

        return new UnionSchema(branches);
    }

    private RecordSchema ParseRecord(JsonElement json, bool isError, string? enclosingNamespace, string path)
    {
        var fullName = DefinitionName(json, enclosingNamespace, path);
        var namespaceOfRecord = NamespaceOf(fullName);
        var record = new RecordSchema(fullName, OptionalString(json, "doc", path), Aliases(json, namespaceOfRecord, path), isError,
            ExtraProperties(json, RecordReserved));
        Register(record, path);

        var fieldsElement = Required(json, "fields", path);
        if (fieldsElement.ValueKind != JsonValueKind.Array)
        {
            throw Fail(path + "/fields", $"\"fields\" must be an array, found {Describe(fieldsElement)}");
        }

        var fields = new List<Field>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fieldJson in fieldsElement.EnumerateArray())
        {
            var fieldPath = $"{path}/fields/{fields.Count}";
            if (fieldJson.ValueKind != JsonValueKind.Object)
            {
                throw Fail(fieldPath, $"a field must be an object, found {Describe(fieldJson)}");
            }

            var name = RequiredString(fieldJson, "name", fieldPath);
            if (!IsValidName(name))
            {
                throw Fail(fieldPath + "/name", $"'{name}' is not a valid field name (it must match [A-Za-z_][A-Za-z0-9_]*)");
            }

            if (!names.Add(name))
            {
                throw Fail(fieldPath + "/name", $"record '{fullName}' has more than one field named '{name}'");
            }

            var fieldSchema = ParseSchema(Required(fieldJson, "type", fieldPath), namespaceOfRecord, fieldPath + "/type");
            JsonElement? defaultValue = fieldJson.TryGetProperty("default", out var d) ? d.Clone() : null;
            var field = new Field(name, fields.Count, fieldSchema, OptionalString(fieldJson, "doc", fieldPath), defaultValue,
                Order(fieldJson, fieldPath), FieldAliases(fieldJson, fieldPath),
                ExtraProperties(fieldJson, FieldReserved) ?? new Dictionary<string, JsonElement>());
            if (defaultValue.HasValue)
            {
                _defaults.Add((field, fieldPath + "/default"));
            }

            fields.Add(field);
        }

        record.SetFields(fields);
        return record;
    }

    private EnumSchema ParseEnum(JsonElement json, string? enclosingNamespace, string path)
    {
        var fullName = DefinitionName(json, enclosingNamespace, path);
        var symbolsElement = Required(json, "symbols", path);
        if (symbolsElement.ValueKind != JsonValueKind.Array)
        {
            throw Fail(path + "/symbols", $"\"symbols\" must be an array of strings, found {Describe(symbolsElement)}");
        }

        var symbols = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in symbolsElement.EnumerateArray())
        {
            var symbolPath = $"{path}/symbols/{symbols.Count}";
            if (element.ValueKind != JsonValueKind.String)
            {
                throw Fail(symbolPath, $"an enum symbol must be a string, found {Describe(element)}");
            }

            var symbol = element.GetString()!;
            if (!IsValidName(symbol))
            {
                throw Fail(symbolPath, $"'{symbol}' is not a valid enum symbol (it must match [A-Za-z_][A-Za-z0-9_]*)");
            }

            if (!seen.Add(symbol))
            {
                throw Fail(symbolPath, $"enum '{fullName}' has the symbol '{symbol}' more than once");
            }

            symbols.Add(symbol);
        }

        var defaultSymbol = OptionalString(json, "default", path);
        if (defaultSymbol is not null && !seen.Contains(defaultSymbol))
        {
            throw Fail(path + "/default", $"enum default '{defaultSymbol}' is not one of the symbols of '{fullName}'");
        }

        var schema = new EnumSchema(fullName, OptionalString(json, "doc", path), Aliases(json, NamespaceOf(fullName), path), symbols,
            defaultSymbol, ExtraProperties(json, EnumReserved));
        Register(schema, path);
        return schema;
    }

    private FixedSchema ParseFixed(JsonElement json, string? enclosingNamespace, string path)
    {
        var fullName = DefinitionName(json, enclosingNamespace, path);
        var sizeElement = Required(json, "size", path);
        if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt32(out var size) || size < 0)
        {
            throw Fail(path + "/size", $"\"size\" must be a non-negative integer, found {Describe(sizeElement)}");
        }

        var properties = ExtraProperties(json, FixedReserved) ?? new Dictionary<string, JsonElement>();
        var (logical, precision, scale) = LogicalTypes.Resolve(SchemaType.Fixed, size, properties);
        var schema = new FixedSchema(fullName, OptionalString(json, "doc", path), Aliases(json, NamespaceOf(fullName), path), size,
            properties.Count == 0 ? null : properties, logical, precision, scale);
        Register(schema, path);
        return schema;
    }

    private void Register(NamedSchema schema, string path)
    {
        if (!_named.TryAdd(schema.FullName, schema))
        {
            throw Fail(path + "/name", $"the name '{schema.FullName}' is already defined");
        }
    }

    private static string DefinitionName(JsonElement json, string? enclosingNamespace, string path)
    {
        var name = RequiredString(json, "name", path);
        string? ns;
        if (name.Contains('.', StringComparison.Ordinal))
        {
            ns = name[..name.LastIndexOf('.')];
            name = name[(name.LastIndexOf('.') + 1)..];
        }
        else if (json.TryGetProperty("namespace", out var nsElement) && nsElement.ValueKind != JsonValueKind.Null)
        {
            if (nsElement.ValueKind != JsonValueKind.String)
            {
                throw Fail(path + "/namespace", $"\"namespace\" must be a string, found {Describe(nsElement)}");
            }

            ns = nsElement.GetString()!.Length == 0 ? null : nsElement.GetString();
        }
        else
        {
            ns = enclosingNamespace;
        }

        if (!IsValidName(name))
        {
            throw Fail(path + "/name", $"'{name}' is not a valid name (it must match [A-Za-z_][A-Za-z0-9_]*)");
        }

        if (Primitives.ContainsKey(name))
        {
            throw Fail(path + "/name", $"'{name}' is a primitive type name and cannot be redefined");
        }

        if (ns is not null && !ns.Split('.').All(IsValidName))
        {
            throw Fail(path + "/namespace", $"'{ns}' is not a valid namespace (dot-separated names)");
        }

        return ns is null ? name : ns + "." + name;
    }

    private static string? NamespaceOf(string fullName)
    {
        var dot = fullName.LastIndexOf('.');
        return dot < 0 ? null : fullName[..dot];
    }

    private static List<string> Aliases(JsonElement json, string? ns, string path) =>
        StringArray(json, "aliases", path)
            .Select(a => a.Contains('.', StringComparison.Ordinal) || ns is null ? a : ns + "." + a)
            .ToList();

    private static List<string> FieldAliases(JsonElement json, string path)
    {
        var aliases = StringArray(json, "aliases", path);
        var invalid = aliases.FirstOrDefault(a => !IsValidName(a));
        return invalid is null ? aliases : throw Fail(path + "/aliases", $"'{invalid}' is not a valid field alias");
    }

    private static List<string> StringArray(JsonElement json, string attribute, string path)
    {
        if (!json.TryGetProperty(attribute, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (element.ValueKind != JsonValueKind.Array || element.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Fail($"{path}/{attribute}", $"\"{attribute}\" must be an array of strings, found {Describe(element)}");
        }

        return element.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    private static SortOrder Order(JsonElement json, string path) => OptionalString(json, "order", path) switch
    {
        null or "ascending" => SortOrder.Ascending,
        "descending" => SortOrder.Descending,
        "ignore" => SortOrder.Ignore,
        var other => throw Fail(path + "/order", $"order '{other}' is not one of ascending, descending, ignore"),
    };

    private static JsonElement Required(JsonElement json, string attribute, string path) =>
        json.TryGetProperty(attribute, out var value) ? value : throw Fail(path, $"missing required attribute \"{attribute}\"");

    private static string RequiredString(JsonElement json, string attribute, string path)
    {
        var value = Required(json, attribute, path);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw Fail($"{path}/{attribute}", $"\"{attribute}\" must be a string, found {Describe(value)}");
    }

    private static string? OptionalString(JsonElement json, string attribute, string path)
    {
        if (!json.TryGetProperty(attribute, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fail($"{path}/{attribute}", $"\"{attribute}\" must be a string, found {Describe(value)}");
    }

    private static Dictionary<string, JsonElement>? ExtraProperties(JsonElement json, HashSet<string> reserved)
    {
        Dictionary<string, JsonElement>? properties = null;
        foreach (var property in json.EnumerateObject())
        {
            if (!reserved.Contains(property.Name))
            {
                (properties ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[property.Name] = property.Value.Clone();
            }
        }

        return properties;
    }

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    internal static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{json.GetString()}\"",
        JsonValueKind.Number => $"the number {json.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => json.GetRawText(),
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
