namespace CinematicSwitch.Avro.Binary;

/// <summary>Skips a value the reader does not want, using block byte sizes where the writer gave them.</summary>
internal static class Skipper
{
    public static void Skip(AvroDecoder decoder, Schema schema)
    {
        switch (schema)
        {
            case FixedSchema f:
                decoder.Skip(f.Size);
                return;
            case RecordSchema record:
                foreach (var field in record.Fields)
                {
                    Skip(decoder, field.Schema);
                }

                return;
            case UnionSchema union:
                Skip(decoder, union.Branches[UnionIndex(decoder, union)]);
                return;
            case ArraySchema array:
                SkipBlocks(decoder, array.Items, false);
                return;
            case MapSchema map:
                SkipBlocks(decoder, map.Values, true);
                return;
        }

        switch (schema.Type)
        {
            case SchemaType.Null:
                return;
            case SchemaType.Boolean:
                decoder.Skip(1);
                return;
            case SchemaType.Int or SchemaType.Long or SchemaType.Enum:
                decoder.ReadLong();
                return;
            case SchemaType.Float:
                decoder.Skip(4);
                return;
            case SchemaType.Double:
                decoder.Skip(8);
                return;
            case SchemaType.Bytes or SchemaType.String:
                decoder.SkipBytes();
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(schema));
        }
    }

    public static int UnionIndex(AvroDecoder decoder, UnionSchema union)
    {
        var index = decoder.ReadUnionIndex();
        return (uint)index < (uint)union.Branches.Count
            ? index
            : throw AvroDecoder.Error($"union index {index} is out of range for {union.DisplayName}");
    }

    private static void SkipBlocks(AvroDecoder decoder, Schema items, bool isMap)
    {
        long count;
        while ((count = decoder.ReadBlockCountOrSkip()) != 0)
        {
            for (var i = 0L; i < count; i++)
            {
                if (isMap)
                {
                    decoder.SkipBytes();
                }

                Skip(decoder, items);
            }
        }
    }
}
