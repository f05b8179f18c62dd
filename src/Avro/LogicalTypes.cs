using System.Text.Json;

namespace CinematicSwitch.Avro;

/// <summary>The logical types of Avro 1.11 and the rules for when they apply.</summary>
public static class LogicalTypes
{
    public const string Decimal = "decimal";
    public const string Uuid = "uuid";
    public const string Date = "date";
    public const string TimeMillis = "time-millis";
    public const string TimeMicros = "time-micros";
    public const string TimestampMillis = "timestamp-millis";
    public const string TimestampMicros = "timestamp-micros";
    public const string LocalTimestampMillis = "local-timestamp-millis";
    public const string LocalTimestampMicros = "local-timestamp-micros";
    public const string Duration = "duration";

    /// <summary>
    /// Decides whether the logicalType attribute in <paramref name="properties"/> is valid for the underlying type.
    /// A valid one (with decimal's precision and scale) is moved out of the properties; an unknown or invalid one
    /// stays there and the schema behaves as its underlying type, as the specification requires.
    /// </summary>
    internal static (string? LogicalType, int Precision, int Scale) Resolve(SchemaType type, int fixedSize,
        Dictionary<string, JsonElement> properties)
    {
        if (!properties.TryGetValue("logicalType", out var element) || element.ValueKind != JsonValueKind.String)
        {
            return (null, 0, 0);
        }

        var name = element.GetString()!;
        var valid = name switch
        {
            Uuid => type == SchemaType.String,
            Date or TimeMillis => type == SchemaType.Int,
            TimeMicros or TimestampMillis or TimestampMicros or LocalTimestampMillis or LocalTimestampMicros => type == SchemaType.Long,
            Duration => type == SchemaType.Fixed && fixedSize == 12,
            Decimal => type is SchemaType.Bytes or SchemaType.Fixed,
            _ => false,
        };
        if (!valid)
        {
            return (null, 0, 0);
        }

        if (name != Decimal)
        {
            properties.Remove("logicalType");
            return (name, 0, 0);
        }

        if (!TryGetInt(properties, "precision", out var precision) || precision <= 0)
        {
            return (null, 0, 0);
        }

        var scale = 0;
        if (properties.ContainsKey("scale") && (!TryGetInt(properties, "scale", out scale) || scale < 0))
        {
            return (null, 0, 0);
        }

        if (scale > precision || (type == SchemaType.Fixed && precision > MaxFixedPrecision(fixedSize)))
        {
            return (null, 0, 0);
        }

        properties.Remove("logicalType");
        properties.Remove("precision");
        properties.Remove("scale");
        return (name, precision, scale);
    }

    /// <summary>The most base-10 digits a two's-complement number of <paramref name="size"/> bytes can hold.</summary>
    internal static int MaxFixedPrecision(int size) =>
        size == 0 ? 0 : size >= 128 ? int.MaxValue : (int)Math.Floor(Math.Log10(Math.Pow(2, (8 * size) - 1) - 1));

    private static bool TryGetInt(Dictionary<string, JsonElement> properties, string name, out int value)
    {
        value = 0;
        return properties.TryGetValue(name, out var element) && element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value);
    }
}
