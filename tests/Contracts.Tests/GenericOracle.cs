using System.Collections;
using System.Numerics;
using System.Text;
using Avro;
using Avro.Generic;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// The typed records as Apache.Avro's generic API holds them, derived from the schemas alone: a field's property is
/// the field name in PascalCase, an enum symbol the member name in UPPER_SNAKE_CASE, logical types as Apache.Avro
/// takes them. Written apart from the specific records, so that it can check their mapping field by field.
/// </summary>
internal static class GenericOracle
{
    public static object? ToGeneric(Schema schema, object? value)
    {
        switch (schema)
        {
            case UnionSchema union:
                return value is null ? null : ToGeneric(union.Schemas.Single(b => b.Tag != Schema.Type.Null), value);
            case LogicalSchema { LogicalTypeName: "uuid" }:
                return (Guid)value!;
            case LogicalSchema { LogicalTypeName: "timestamp-millis" }:
                return ((DateTimeOffset)value!).UtcDateTime;
            case LogicalSchema { LogicalTypeName: "decimal" } logical:
                var scale = int.Parse(logical.GetProperty("scale"), System.Globalization.CultureInfo.InvariantCulture);
                return new AvroDecimal(new BigInteger((decimal)value! * (decimal)Math.Pow(10, scale)), scale);
            case RecordSchema record:
                var generic = new GenericRecord(record);
                foreach (var field in record.Fields)
                {
                    var property = value!.GetType().GetProperty(Pascal(field.Name))
                        ?? throw new InvalidOperationException($"{value.GetType().Name} has no property for {record.Name}.{field.Name}");
                    generic.Add(field.Name, ToGeneric(field.Schema, property.GetValue(value)));
                }

                return generic;
            case EnumSchema enumeration:
                return new GenericEnum(enumeration, Symbol(value!.ToString()!));
            case ArraySchema array:
                return ((IEnumerable)value!).Cast<object?>().Select(item => ToGeneric(array.ItemSchema, item)).ToArray();
            case MapSchema map:
                return ((IEnumerable<KeyValuePair<string, string>>)value!).ToDictionary(e => e.Key, e => ToGeneric(map.ValueSchema, e.Value), StringComparer.Ordinal);
            default:
                return value;
        }
    }

    /// <summary>Asserts two generic values are the same, field by field; returns how many values were compared.</summary>
    public static int AssertSame(object? expected, object? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual}");
                return 1;
            case GenericRecord record:
                var other = Assert.IsType<GenericRecord>(actual);
                Assert.Equal(record.Schema.Fullname, other.Schema.Fullname);
                return record.Schema.Fields.Sum(f => AssertSame(record[f.Name], other.TryGetValue(f.Name, out var v) ? v : null, $"{path}.{f.Name}"));
            case GenericEnum symbol:
                Assert.True(symbol.Value == Assert.IsType<GenericEnum>(actual).Value, $"{path}: expected {symbol.Value}, got {((GenericEnum)actual).Value}");
                return 1;
            case AvroDecimal number:
                Assert.True((decimal)number == (decimal)Assert.IsType<AvroDecimal>(actual), $"{path}: expected {number}, got {actual}");
                return 1;
            case IDictionary map:
                var actualMap = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.Equal(map.Count, actualMap.Count);
                return 1 + map.Keys.Cast<string>().Sum(k => AssertSame(map[k], actualMap[k], $"{path}[{k}]"));
            case IList list:
                var actualList = Assert.IsAssignableFrom<IList>(actual);
                Assert.Equal(list.Count, actualList.Count);
                return 1 + Enumerable.Range(0, list.Count).Sum(i => AssertSame(list[i], actualList[i], $"{path}[{i}]"));
            default:
                Assert.True(Equals(expected, actual), $"{path}: expected {expected} ({expected.GetType().Name}), got {actual} ({actual?.GetType().Name})");
                return 1;
        }
    }

    /// <summary>request_id → RequestId.</summary>
    public static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(part => part.Length == 0 ? "" : char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>ImageToVideo → IMAGE_TO_VIDEO.</summary>
    public static string Symbol(string pascal)
    {
        var symbol = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && symbol.Length > 0)
            {
                symbol.Append('_');
            }

            symbol.Append(char.ToUpperInvariant(c));
        }

        return symbol.ToString();
    }
}
