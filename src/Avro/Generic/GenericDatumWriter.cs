using System.Buffers;
using System.Collections;
using CinematicSwitch.Avro.Binary;

namespace CinematicSwitch.Avro.Generic;

/// <summary>Encodes values of the generic datum model (see <see cref="GenericDatumReader"/>) in Avro binary.</summary>
public static class GenericDatumWriter
{
    public static void Write(Schema schema, object? datum, IBufferWriter<byte> output)
    {
        var encoder = AvroEncoder.Rent();
        try
        {
            Write(schema, datum, encoder);
            output.Write(encoder.WrittenSpan);
        }
        finally
        {
            AvroEncoder.Return(encoder);
        }
    }

    public static byte[] Serialize(Schema schema, object? datum)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(schema, datum, output);
        return output.WrittenSpan.ToArray();
    }

    /// <exception cref="AvroEncodingException">The datum does not fit the schema; the message names where.</exception>
    public static void Write(Schema schema, object? datum, AvroEncoder encoder) => Write(schema, datum, encoder, "");

    private static void Write(Schema schema, object? datum, AvroEncoder encoder, string path)
    {
        switch (schema.Type, datum)
        {
            case (SchemaType.Null, null):
                return;
            case (SchemaType.Boolean, bool b):
                encoder.WriteBoolean(b);
                return;
            case (SchemaType.Int, int i):
                encoder.WriteInt(i);
                return;
            case (SchemaType.Long, long or int):
                encoder.WriteLong(Convert.ToInt64(datum, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case (SchemaType.Float, float or int or long):
                encoder.WriteFloat(Convert.ToSingle(datum, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case (SchemaType.Double, double or float or int or long):
                encoder.WriteDouble(Convert.ToDouble(datum, System.Globalization.CultureInfo.InvariantCulture));
                return;
            case (SchemaType.Bytes, byte[] bytes):
                encoder.WriteBytes(bytes);
                return;
            case (SchemaType.String, string s):
                encoder.WriteString(s);
                return;
            case (SchemaType.Record, GenericRecord record) when record.Schema.FullName == ((RecordSchema)schema).FullName:
                foreach (var field in ((RecordSchema)schema).Fields)
                {
                    Write(field.Schema, record[field.Name], encoder, $"{path}/{field.Name}");
                }

                return;
            case (SchemaType.Enum, GenericEnum or string):
                var enumSchema = (EnumSchema)schema;
                var symbol = datum as string ?? ((GenericEnum)datum).Symbol;
                var ordinal = enumSchema.IndexOf(symbol);
                encoder.WriteEnum(ordinal >= 0 ? ordinal : throw Mismatch(schema, datum, path, $"'{symbol}' is not a symbol"));
                return;
            case (SchemaType.Fixed, GenericFixed or byte[]):
                var value = datum as byte[] ?? ((GenericFixed)datum).Value;
                var size = ((FixedSchema)schema).Size;
                encoder.WriteFixed(value.Length == size ? value : throw Mismatch(schema, datum, path, $"{value.Length} bytes for a fixed of size {size}"));
                return;
            case (SchemaType.Map, IDictionary map):
                encoder.WriteBlockCount(map.Count);
                foreach (DictionaryEntry entry in map)
                {
                    var key = entry.Key as string ?? throw Mismatch(schema, datum, path, "map keys must be strings");
                    encoder.WriteString(key);
                    Write(((MapSchema)schema).Values, entry.Value, encoder, $"{path}/{key}");
                }

                if (map.Count > 0)
                {
                    encoder.WriteBlockCount(0);
                }

                return;
            case (SchemaType.Array, IEnumerable items and not string and not IDictionary):
                var list = items.Cast<object?>().ToList();
                encoder.WriteBlockCount(list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    Write(((ArraySchema)schema).Items, list[i], encoder, $"{path}/{i}");
                }

                if (list.Count > 0)
                {
                    encoder.WriteBlockCount(0);
                }

                return;
            case (SchemaType.Union, _):
                var union = (UnionSchema)schema;
                var branch = SelectBranch(union, datum);
                if (branch < 0)
                {
                    throw Mismatch(schema, datum, path, "no branch of the union takes it");
                }

                encoder.WriteUnionIndex(branch);
                Write(union.Branches[branch], datum, encoder, path);
                return;
            default:
                throw Mismatch(schema, datum, path, null);
        }
    }

    /// <summary>The branch for a datum: one of exactly its type first, then one it converts to without loss of kind.</summary>
    private static int SelectBranch(UnionSchema union, object? datum)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < union.Branches.Count; i++)
            {
                var branch = union.Branches[i];
                var fits = (branch.Type, datum) switch
                {
                    (SchemaType.Null, null) => true,
                    (SchemaType.Boolean, bool) => true,
                    (SchemaType.Int, int) => true,
                    (SchemaType.Long, long) => true,
                    (SchemaType.Float, float) => true,
                    (SchemaType.Double, double) => true,
                    (SchemaType.Bytes, byte[]) => true,
                    (SchemaType.String, string) => true,
                    (SchemaType.Record, GenericRecord r) => r.Schema.FullName == ((NamedSchema)branch).FullName,
                    (SchemaType.Enum, GenericEnum e) => e.Schema.FullName == ((NamedSchema)branch).FullName,
                    (SchemaType.Fixed, GenericFixed f) => f.Schema.FullName == ((NamedSchema)branch).FullName,
                    (SchemaType.Map, IDictionary) => true,
                    (SchemaType.Array, IEnumerable and not string and not IDictionary and not byte[]) => true,
                    (SchemaType.Long or SchemaType.Float or SchemaType.Double, int) => pass == 1,
                    (SchemaType.Float or SchemaType.Double, long) => pass == 1,
                    (SchemaType.Double, float) => pass == 1,
                    _ => false,
                };
                if (fits)
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static AvroEncodingException Mismatch(Schema schema, object? datum, string path, string? detail) =>
        new($"Cannot write {(datum is null ? "null" : datum.GetType().Name)} at {(path.Length == 0 ? "/" : path)} as '{schema.DisplayName}'" +
            (detail is null ? "" : $": {detail}"));
}
