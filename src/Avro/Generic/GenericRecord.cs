namespace CinematicSwitch.Avro.Generic;

/// <summary>A record value of the generic datum model: field values by position or name.</summary>
public sealed class GenericRecord : IEquatable<GenericRecord>
{
    private readonly object?[] _values;

    public GenericRecord(RecordSchema schema)
    {
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    public RecordSchema Schema { get; }

    public object? this[int position]
    {
        get => _values[position];
        set => _values[position] = value;
    }

    public object? this[string name]
    {
        get => _values[FieldOf(name).Position];
        set => _values[FieldOf(name).Position] = value;
    }

    public bool Equals(GenericRecord? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && _values.Length == other._values.Length
        && _values.Zip(other._values).All(p => GenericEquality.ValuesEqual(p.First, p.Second));

    public override bool Equals(object? obj) => Equals(obj as GenericRecord);

    public override int GetHashCode() => Schema.FullName.GetHashCode(StringComparison.Ordinal);

    public override string ToString() =>
        "{" + string.Join(", ", Schema.Fields.Select(f => $"\"{f.Name}\": {GenericEquality.Format(_values[f.Position])}")) + "}";

    private Field FieldOf(string name) =>
        Schema.GetField(name) ?? throw new KeyNotFoundException($"record '{Schema.FullName}' has no field '{name}'");
}

/// <summary>An enum value of the generic datum model.</summary>
public sealed record GenericEnum(EnumSchema Schema, string Symbol)
{
    public int Ordinal => Schema.IndexOf(Symbol);

    public override string ToString() => Symbol;
}

/// <summary>A fixed value of the generic datum model.</summary>
public sealed class GenericFixed(FixedSchema schema, byte[] value) : IEquatable<GenericFixed>
{
    public FixedSchema Schema { get; } = schema;

    public byte[] Value { get; } = value;

    public bool Equals(GenericFixed? other) =>
        other is not null && other.Schema.FullName == Schema.FullName && Value.AsSpan().SequenceEqual(other.Value);

    public override bool Equals(object? obj) => Equals(obj as GenericFixed);

    public override int GetHashCode() => Schema.FullName.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Convert.ToHexString(Value);
}

/// <summary>Structural equality of generic values (lists, maps and byte arrays compare by content).</summary>
internal static class GenericEquality
{
    public static bool ValuesEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (IList<object?> x, IList<object?> y) => x.Count == y.Count && x.Zip(y).All(p => ValuesEqual(p.First, p.Second)),
        (IDictionary<string, object?> x, IDictionary<string, object?> y) =>
            x.Count == y.Count && x.All(e => y.TryGetValue(e.Key, out var v) && ValuesEqual(e.Value, v)),
        _ => Equals(a, b),
    };

    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        byte[] b => Convert.ToHexString(b),
        IList<object?> list => "[" + string.Join(", ", list.Select(Format)) + "]",
        IDictionary<string, object?> map => "{" + string.Join(", ", map.Select(e => $"\"{e.Key}\": {Format(e.Value)}")) + "}",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
