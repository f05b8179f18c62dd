using System.Text;
using CinematicSwitch.Avro.Binary;
using CinematicSwitch.Avro.Resolution;

namespace CinematicSwitch.Avro.Generic;

/// <summary>
/// Decodes Avro binary into the generic datum model (null, bool, int, long, float, double, byte[], string,
/// <see cref="GenericRecord"/>, <see cref="GenericEnum"/>, <see cref="GenericFixed"/>, <c>List&lt;object?&gt;</c>,
/// <c>Dictionary&lt;string, object?&gt;</c>), resolving the writer schema against the reader schema.
/// Logical types keep their underlying representation.
/// </summary>
public sealed class GenericDatumReader
{
    private readonly ReadPlan _plan;

    public GenericDatumReader(Schema schema)
        : this(schema, schema)
    {
    }

    /// <exception cref="AvroResolutionException">The reader cannot read what the writer writes.</exception>
    public GenericDatumReader(Schema readerSchema, Schema writerSchema)
    {
        ReaderSchema = readerSchema;
        WriterSchema = writerSchema;
        _plan = Resolver.Resolve(readerSchema, writerSchema).PlanOrThrow();
    }

    public Schema ReaderSchema { get; }

    public Schema WriterSchema { get; }

    public object? Read(ReadOnlySpan<byte> data) => AvroDecoder.Decode(data, Read);

    public object? Read(AvroDecoder decoder) => Read(_plan, decoder);

    internal static object? Read(ReadPlan plan, AvroDecoder decoder)
    {
        switch (plan)
        {
            case PrimitivePlan:
                return ReadPrimitive(plan.Reader.Type, plan.Writer.Type, decoder);
            case RecordPlan record:
                return ReadRecord(record, decoder);
            case EnumPlan enumPlan:
                var reader = (EnumSchema)enumPlan.Reader;
                return new GenericEnum(reader, reader.Symbols[MapEnumOrdinal(enumPlan, decoder.ReadEnum())]);
            case FixedPlan:
                return new GenericFixed((FixedSchema)plan.Reader, decoder.ReadFixed(((FixedSchema)plan.Writer).Size));
            case ArrayPlan array:
                var list = new List<object?>();
                for (var count = decoder.ReadBlockCount(); count != 0; count = decoder.ReadBlockCount())
                {
                    for (var i = 0L; i < count; i++)
                    {
                        list.Add(Read(array.Items, decoder));
                    }
                }

                return list;
            case MapPlan map:
                var dictionary = new Dictionary<string, object?>(StringComparer.Ordinal);
                for (var count = decoder.ReadBlockCount(); count != 0; count = decoder.ReadBlockCount())
                {
                    for (var i = 0L; i < count; i++)
                    {
                        var key = decoder.ReadString();
                        dictionary[key] = Read(map.Values, decoder);
                    }
                }

                return dictionary;
            case WriterUnionPlan union:
                return Read(union.Branches[Skipper.UnionIndex(decoder, (UnionSchema)union.Writer)], decoder);
            case ReaderUnionPlan union:
                return Read(union.Inner, decoder);
            case ErrorPlan error:
                throw new AvroResolutionException(error.Message);
            default:
                throw new InvalidOperationException($"unexpected plan {plan.GetType().Name}");
        }
    }

    /// <summary>The reader ordinal for a writer ordinal (the reader's default for a symbol it lacks).</summary>
    internal static int MapEnumOrdinal(EnumPlan plan, int writerOrdinal)
    {
        if ((uint)writerOrdinal >= (uint)plan.ReaderOrdinals.Length)
        {
            throw AvroDecoder.Error($"enum ordinal {writerOrdinal} is out of range for '{plan.Writer.DisplayName}'");
        }

        var ordinal = plan.ReaderOrdinals[writerOrdinal];
        return ordinal >= 0 ? ordinal : throw new AvroResolutionException(plan.Errors[writerOrdinal]!);
    }

    private static GenericRecord ReadRecord(RecordPlan plan, AvroDecoder decoder)
    {
        if (plan.Failure is not null)
        {
            throw new AvroResolutionException(plan.Failure);
        }

        var record = new GenericRecord(plan.Reader);
        foreach (var step in plan.Steps)
        {
            if (step.ReaderField is null)
            {
                Skipper.Skip(decoder, step.WriterField.Schema);
            }
            else
            {
                record[step.ReaderField.Position] = Read(step.Plan!, decoder);
            }
        }

        foreach (var field in plan.Defaults)
        {
            record[field.Position] = AvroDecoder.Decode(field.DefaultBytes, d => Read(field.IdentityPlan, d));
        }

        return record;
    }

    private static object? ReadPrimitive(SchemaType reader, SchemaType writer, AvroDecoder decoder)
    {
        switch (writer)
        {
            case SchemaType.Null:
                return null;
            case SchemaType.Boolean:
                return decoder.ReadBoolean();
            case SchemaType.Int:
                var i = decoder.ReadInt();
                return reader switch
                {
                    SchemaType.Long => (object)(long)i,
                    SchemaType.Float => (float)i,
                    SchemaType.Double => (double)i,
                    _ => i,
                };
            case SchemaType.Long:
                var l = decoder.ReadLong();
                return reader switch
                {
                    SchemaType.Float => (object)(float)l,
                    SchemaType.Double => (double)l,
                    _ => l,
                };
            case SchemaType.Float:
                var f = decoder.ReadFloat();
                return reader == SchemaType.Double ? (double)f : (object)f;
            case SchemaType.Double:
                return decoder.ReadDouble();
            case SchemaType.Bytes:
                var bytes = decoder.ReadBytes();
                return reader == SchemaType.String ? Encoding.UTF8.GetString(bytes) : bytes;
            case SchemaType.String:
                var text = decoder.ReadString();
                return reader == SchemaType.Bytes ? Encoding.UTF8.GetBytes(text) : text;
            default:
                throw new ArgumentOutOfRangeException(nameof(writer));
        }
    }
}
