using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CinematicSwitch.Avro;

/// <summary>Writes a schema as its full JSON and as Parsing Canonical Form.</summary>
internal static class SchemaJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Parsing Canonical Form: primitives as bare names, full names, only the attributes that affect parsing
    /// (type, name, fields, symbols, items, values, size) in that order, named types written in full the first
    /// time only, no whitespace.
    /// </summary>
    public static string Canonical(Schema schema)
    {
        var builder = new StringBuilder();
        WriteCanonical(schema, builder, new HashSet<string>(StringComparer.Ordinal));
        return builder.ToString();
    }

    public static string Full(Schema schema)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            WriteFull(writer, schema, null, new HashSet<string>(StringComparer.Ordinal));
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteCanonical(Schema schema, StringBuilder sb, HashSet<string> defined)
    {
        switch (schema)
        {
            case UnionSchema union:
                sb.Append('[');
                for (var i = 0; i < union.Branches.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteCanonical(union.Branches[i], sb, defined);
                }

                sb.Append(']');
                break;
            case ArraySchema array:
                sb.Append("{\"type\":\"array\",\"items\":");
                WriteCanonical(array.Items, sb, defined);
                sb.Append('}');
                break;
            case MapSchema map:
                sb.Append("{\"type\":\"map\",\"values\":");
                WriteCanonical(map.Values, sb, defined);
                sb.Append('}');
                break;
            case NamedSchema named when !defined.Add(named.FullName):
                AppendString(sb, named.FullName);
                break;
            case RecordSchema record:
                sb.Append("{\"name\":");
                AppendString(sb, record.FullName);
                // An error is a record to a parser; the Java implementation writes "record" for it too.
                sb.Append(",\"type\":\"record\",\"fields\":[");
                for (var i = 0; i < record.Fields.Count; i++)
                {
                    sb.Append(i > 0 ? ",{\"name\":" : "{\"name\":");
                    AppendString(sb, record.Fields[i].Name);
                    sb.Append(",\"type\":");
                    WriteCanonical(record.Fields[i].Schema, sb, defined);
                    sb.Append('}');
                }

                sb.Append("]}");
                break;
            case EnumSchema enumSchema:
                sb.Append("{\"name\":");
                AppendString(sb, enumSchema.FullName);
                sb.Append(",\"type\":\"enum\",\"symbols\":[");
                for (var i = 0; i < enumSchema.Symbols.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    AppendString(sb, enumSchema.Symbols[i]);
                }

                sb.Append("]}");
                break;
            case FixedSchema fixedSchema:
                sb.Append("{\"name\":");
                AppendString(sb, fixedSchema.FullName);
                sb.Append(",\"type\":\"fixed\",\"size\":").Append(fixedSchema.Size).Append('}');
                break;
            default:
                AppendString(sb, Schema.TypeName(schema.Type));
                break;
        }
    }

    // Names and symbols are restricted to [A-Za-z0-9_.], so nothing here ever needs escaping; the
    // specification's [STRINGS] rule (no escapes, UTF-8 characters) is kept by construction.
    private static void AppendString(StringBuilder sb, string value) => sb.Append('"').Append(value).Append('"');

    private static void WriteFull(Utf8JsonWriter w, Schema schema, string? enclosingNamespace, HashSet<string> defined)
    {
        switch (schema)
        {
            case PrimitiveSchema { IsPlain: true }:
                w.WriteStringValue(Schema.TypeName(schema.Type));
                return;
            case UnionSchema union:
                w.WriteStartArray();
                foreach (var branch in union.Branches)
                {
                    WriteFull(w, branch, enclosingNamespace, defined);
                }

                w.WriteEndArray();
                return;
            case NamedSchema named when !defined.Add(named.FullName):
                w.WriteStringValue(named.Namespace == enclosingNamespace ? named.Name : named.FullName);
                return;
        }

        w.WriteStartObject();
        w.WriteString("type", schema is RecordSchema { IsError: true } ? "error" : Schema.TypeName(schema.Type));
        switch (schema)
        {
            case ArraySchema array:
                w.WritePropertyName("items");
                WriteFull(w, array.Items, enclosingNamespace, defined);
                break;
            case MapSchema map:
                w.WritePropertyName("values");
                WriteFull(w, map.Values, enclosingNamespace, defined);
                break;
            case NamedSchema named:
                WriteNamed(w, named, enclosingNamespace, defined);
                break;
        }

        if (schema.LogicalType is not null)
        {
            w.WriteString("logicalType", schema.LogicalType);
            if (schema.LogicalType == LogicalTypes.Decimal)
            {
                w.WriteNumber("precision", schema.DecimalPrecision);
                w.WriteNumber("scale", schema.DecimalScale);
            }
        }

        WriteProperties(w, schema.Properties);
        w.WriteEndObject();
    }

    private static void WriteNamed(Utf8JsonWriter w, NamedSchema named, string? enclosingNamespace, HashSet<string> defined)
    {
        w.WriteString("name", named.Name);
        if (named.Namespace != enclosingNamespace)
        {
            w.WriteString("namespace", named.Namespace ?? "");
        }

        if (named.Doc is not null)
        {
            w.WriteString("doc", named.Doc);
        }

        WriteStrings(w, "aliases", named.Aliases);
        switch (named)
        {
            case RecordSchema record:
                w.WriteStartArray("fields");
                foreach (var field in record.Fields)
                {
                    WriteField(w, field, record.Namespace, defined);
                }

                w.WriteEndArray();
                break;
            case EnumSchema enumSchema:
                WriteStrings(w, "symbols", enumSchema.Symbols, always: true);
                if (enumSchema.Default is not null)
                {
                    w.WriteString("default", enumSchema.Default);
                }

                break;
            case FixedSchema fixedSchema:
                w.WriteNumber("size", fixedSchema.Size);
                break;
        }
    }

    private static void WriteField(Utf8JsonWriter w, Field field, string? ns, HashSet<string> defined)
    {
        w.WriteStartObject();
        w.WriteString("name", field.Name);
        w.WritePropertyName("type");
        WriteFull(w, field.Schema, ns, defined);
        if (field.Doc is not null)
        {
            w.WriteString("doc", field.Doc);
        }

        if (field.DefaultValue is { } defaultValue)
        {
            w.WritePropertyName("default");
            defaultValue.WriteTo(w);
        }

        if (field.Order != SortOrder.Ascending)
        {
            w.WriteString("order", field.Order == SortOrder.Descending ? "descending" : "ignore");
        }

        WriteStrings(w, "aliases", field.Aliases);
        WriteProperties(w, field.Properties);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values, bool always = false)
    {
        if (values.Count == 0 && !always)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteProperties(Utf8JsonWriter w, IReadOnlyDictionary<string, JsonElement> properties)
    {
        foreach (var (name, value) in properties)
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }
}
