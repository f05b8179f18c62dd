namespace CinematicSwitch.Avro;

/// <summary>Names the record field a property maps to, instead of the snake_case form of the property name.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class AvroFieldAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Names the enum symbol a C# enum member maps to, instead of the UPPER_SNAKE form of the member name.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class AvroSymbolAttribute(string symbol) : Attribute
{
    public string Symbol { get; } = symbol;
}

/// <summary>Leaves a property out of the mapping (a computed property, for example).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AvroIgnoreAttribute : Attribute;

/// <summary>The value of the duration logical type: months, days and milliseconds, each an unsigned 32-bit count.</summary>
public readonly record struct AvroDuration(uint Months, uint Days, uint Milliseconds);
