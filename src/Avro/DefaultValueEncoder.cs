using System.Text.Json;
using CinematicSwitch.Avro.Binary;

namespace CinematicSwitch.Avro;

/// <summary>
/// Validates a field default (JSON, encoded as the specification's table says) against its schema and
/// encodes it in Avro binary. Readers decode those bytes for a field the writer did not have, so the
/// generic and the typed readers share one interpretation of defaults.
/// </summary>
internal static class DefaultValueEncoder
{
    public static byte[] Encode(Schema schema, JsonElement value, string path)
    {
        var encoder = new AvroEncoder(64);
        Write(schema, value, encoder, path, 0);
        return encoder.ToArray();
    }

    private static void Write(Schema schema, JsonElement value, AvroEncoder encoder, string path, int depth)
    {
        // A record default may lean on a field default of the same record type; stop such a cycle.
        if (depth > 64)
        {
            throw Fail(path, "default value nests more than 64 levels deep (a recursive default?)");
        }

        switch (schema.Type)
        {
            case SchemaType.Null:
                Expect(value.ValueKind == JsonValueKind.Null, schema, value, path);
                break;
            case SchemaType.Boolean:
                Expect(value.ValueKind is JsonValueKind.True or JsonValueKind.False, schema, value, path);
                encoder.WriteBoolean(value.GetBoolean());
                break;
            case SchemaType.Int:
                Expect(value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _), schema, value, path);
                encoder.WriteInt(value.GetInt32());
                break;
            case SchemaType.Long:
                Expect(value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), schema, value, path);
                encoder.WriteLong(value.GetInt64());
                break;
            case SchemaType.Float:
                encoder.WriteFloat((float)Number(schema, value, path));
                break;
            case SchemaType.Double:
                encoder.WriteDouble(Number(schema, value, path));
                break;
            case SchemaType.String:
                Expect(value.ValueKind == JsonValueKind.String, schema, value, path);
                encoder.WriteString(value.GetString()!);
                break;
            case SchemaType.Bytes:
                encoder.WriteBytes(Latin1(schema, value, path));
                break;
            case SchemaType.Fixed:
                var bytes = Latin1(schema, value, path);
                var size = ((FixedSchema)schema).Size;
                if (bytes.Length != size)
                {
                    throw Fail(path, $"default for fixed '{schema.DisplayName}' has {bytes.Length} bytes, the size is {size}");
                }

                encoder.WriteFixed(bytes);
                break;
            case SchemaType.Enum:
                var enumSchema = (EnumSchema)schema;
                var ordinal = value.ValueKind == JsonValueKind.String ? enumSchema.IndexOf(value.GetString()!) : -1;
                if (ordinal < 0)
                {
                    throw Fail(path, $"default {SchemaParser.Describe(value)} is not a symbol of enum '{schema.DisplayName}'");
                }

                encoder.WriteEnum(ordinal);
                break;
            case SchemaType.Array:
                Expect(value.ValueKind == JsonValueKind.Array, schema, value, path);
                var items = ((ArraySchema)schema).Items;
                var count = value.GetArrayLength();
                if (count > 0)
                {
                    encoder.WriteBlockCount(count);
                    var i = 0;
                    foreach (var item in value.EnumerateArray())
                    {
                        Write(items, item, encoder, $"{path}/{i++}", depth + 1);
                    }
                }

                encoder.WriteBlockCount(0);
                break;
            case SchemaType.Map:
                Expect(value.ValueKind == JsonValueKind.Object, schema, value, path);
                var values = ((MapSchema)schema).Values;
                var entries = value.EnumerateObject().ToList();
                if (entries.Count > 0)
                {
                    encoder.WriteBlockCount(entries.Count);
                    foreach (var entry in entries)
                    {
                        encoder.WriteString(entry.Name);
                        Write(values, entry.Value, encoder, $"{path}/{entry.Name}", depth + 1);
                    }
                }

                encoder.WriteBlockCount(0);
                break;
            case SchemaType.Record:
                Expect(value.ValueKind == JsonValueKind.Object, schema, value, path);
                foreach (var field in ((RecordSchema)schema).Fields)
                {
                    if (value.TryGetProperty(field.Name, out var fieldValue))
                    {
                        Write(field.Schema, fieldValue, encoder, $"{path}/{field.Name}", depth + 1);
                    }
                    else if (field.DefaultValue is { } fieldDefault)
                    {
                        Write(field.Schema, fieldDefault, encoder, $"{path}/{field.Name}", depth + 1);
                    }
                    else
                    {
                        throw Fail(path, $"default for record '{schema.DisplayName}' has no value for field '{field.Name}', which has no default");
                    }
                }

                break;
            case SchemaType.Union:
                // The specification: a union's default corresponds to the union's first branch.
                var branches = ((UnionSchema)schema).Branches;
                if (branches.Count == 0)
                {
                    throw Fail(path, "an empty union cannot have a default");
                }

                encoder.WriteUnionIndex(0);
                Write(branches[0], value, encoder, path, depth + 1);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(schema));
        }
    }

    private static double Number(Schema schema, JsonElement value, string path)
    {
        // NaN and the infinities have no JSON number form; Java writes them as strings.
        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString())
            {
                case "NaN":
                    return double.NaN;
                case "Infinity":
                    return double.PositiveInfinity;
                case "-Infinity":
                    return double.NegativeInfinity;
            }
        }

        Expect(value.ValueKind == JsonValueKind.Number, schema, value, path);
        return value.GetDouble();
    }

    // Bytes and fixed defaults are strings whose code points 0-255 are the byte values.
    private static byte[] Latin1(Schema schema, JsonElement value, string path)
    {
        Expect(value.ValueKind == JsonValueKind.String, schema, value, path);
        var text = value.GetString()!;
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 0xFF)
            {
                throw Fail(path, $"default for '{schema.DisplayName}' has the character U+{(int)text[i]:X4}, but bytes and fixed defaults may only use U+0000 to U+00FF");
            }

            bytes[i] = (byte)text[i];
        }

        return bytes;
    }

    private static void Expect(bool valid, Schema schema, JsonElement value, string path)
    {
        if (!valid)
        {
            throw Fail(path, $"default {SchemaParser.Describe(value)} is not a valid '{schema.DisplayName}' value");
        }
    }

    private static SchemaParseException Fail(string path, string message) => new($"Invalid schema at {path}: {message}");
}
