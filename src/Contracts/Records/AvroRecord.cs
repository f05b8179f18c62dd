using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using Avro;
using Avro.Specific;

namespace CinematicSwitch.Contracts;

/// <summary>
/// A specific record of Apache.Avro that carries one of the contract's typed records: <see cref="From"/> and
/// <see cref="ToValue"/> are the one mapping between them. The specific records (namespace io.cinematicswitch.events,
/// named as in the schemas, as Apache.Avro's reader finds nested records by their full Avro name) hold the values as
/// Apache.Avro reads and writes them: Guid for uuid, UTC DateTime for timestamp-millis, AvroDecimal for decimal,
/// enums whose members are the schema's symbols.
/// </summary>
public interface IAvroRecord<TSelf, TValue> : ISpecificRecord
    where TSelf : class, IAvroRecord<TSelf, TValue>, new()
{
    static abstract TSelf From(TValue value);

    TValue ToValue();
}

/// <summary>Conversions between the typed records' values and Apache.Avro's, shared by the specific records.</summary>
public static class AvroValues
{
    /// <summary>An enum value boxed once: Apache.Avro takes every field as an object, and a value's box never changes.</summary>
    public static object Box<TEnum>(TEnum value)
        where TEnum : struct, Enum => Boxes<TEnum>.Of(value);

    public static DateTime ToAvro(DateTimeOffset value) => value.UtcDateTime;

    public static DateTimeOffset FromAvro(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    public static DateTime? ToAvro(DateTimeOffset? value) => value?.UtcDateTime;

    public static DateTimeOffset? FromAvro(DateTime? value) => value is { } v ? FromAvro(v) : null;

    public static decimal FromAvro(AvroDecimal value) => (decimal)value;

    /// <summary>An unboxed field value, naming the field when it is not what the schema makes Apache.Avro read.</summary>
    public static T Unbox<T>(object? value, string field) =>
        value is T typed ? typed : throw new AvroException($"field {field} holds a {value?.GetType().Name ?? "null"}, not a {typeof(T).Name}");

    /// <summary>An enum field: Apache.Avro's specific reader hands over the reader's symbol ordinal.</summary>
    public static TEnum Enum<TEnum>(object? value, string field)
        where TEnum : struct, Enum =>
        value is int or TEnum ? Boxes<TEnum>.From((int)value) : throw new AvroException($"field {field} holds a {value?.GetType().Name ?? "null"}, not an enum symbol");

    public static AvroException BadPosition(Schema schema, int position) => new($"{schema.Name} has no field at position {position}");

    private static class Boxes<TEnum>
        where TEnum : struct, Enum
    {
        private static readonly object[] Values = [.. System.Enum.GetValues<TEnum>().Select(v => (object)v)];

        public static object Of(TEnum value)
        {
            var ordinal = Unsafe.As<TEnum, int>(ref value);
            return (uint)ordinal < (uint)Values.Length
                ? Values[ordinal]
                : throw new ArgumentOutOfRangeException(nameof(value), $"{ordinal} is not a {typeof(TEnum).Name} symbol");
        }

        public static TEnum From(int ordinal) =>
            (uint)ordinal < (uint)Values.Length ? (TEnum)Values[ordinal] : throw new AvroException($"{ordinal} is not a {typeof(TEnum).Name} symbol");
    }
}

/// <summary>A decimal field's precision and scale, from its schema: values are written at exactly that scale.</summary>
public sealed class AvroDecimalType
{
    private readonly decimal _limit;
    private readonly decimal _factor;

    private AvroDecimalType(int precision, int scale)
    {
        Precision = precision;
        Scale = scale;
        _limit = (decimal)BigInteger.Pow(10, precision - scale);
        _factor = (decimal)BigInteger.Pow(10, scale);
    }

    public int Precision { get; }

    public int Scale { get; }

    public static AvroDecimalType Of(RecordSchema record, string field)
    {
        var schema = record[field]?.Schema as LogicalSchema
            ?? throw new ArgumentException($"{record.Fullname}.{field} is not a logical type.", nameof(field));
        return new AvroDecimalType(Property(schema, "precision"), Property(schema, "scale"));
    }

    /// <summary>The value at the schema's scale; one with more decimal places, or more digits than the precision, is refused, not rounded.</summary>
    public AvroDecimal ToAvro(decimal value)
    {
        if (decimal.Round(value, Scale) != value)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"a decimal({Precision}, {Scale}) cannot hold more than {Scale} decimal places");
        }

        if (Math.Abs(value) >= _limit)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"a decimal({Precision}, {Scale}) holds less than {_limit:0} in magnitude");
        }

        return new AvroDecimal(new BigInteger(value * _factor), Scale);
    }

    private static int Property(LogicalSchema schema, string name) =>
        int.Parse(schema.GetProperty(name) ?? throw new ArgumentException($"decimal without {name}"), CultureInfo.InvariantCulture);
}
