using CinematicSwitch.Avro;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>The registry API's names of the compatibility levels (BACKWARD_TRANSITIVE, ...).</summary>
public static class CompatibilityLevels
{
    private static readonly Dictionary<CompatibilityLevel, string> Names = new()
    {
        [CompatibilityLevel.None] = "NONE",
        [CompatibilityLevel.Backward] = "BACKWARD",
        [CompatibilityLevel.BackwardTransitive] = "BACKWARD_TRANSITIVE",
        [CompatibilityLevel.Forward] = "FORWARD",
        [CompatibilityLevel.ForwardTransitive] = "FORWARD_TRANSITIVE",
        [CompatibilityLevel.Full] = "FULL",
        [CompatibilityLevel.FullTransitive] = "FULL_TRANSITIVE",
    };

    private static readonly Dictionary<string, CompatibilityLevel> Levels =
        Names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every valid name, for messages.</summary>
    public static IEnumerable<string> All => Names.Values;

    public static string ToName(CompatibilityLevel level) => Names[level];

    /// <summary>Parses a level name, case-insensitively as the registry does.</summary>
    public static bool TryParse(string? name, out CompatibilityLevel level) => Levels.TryGetValue(name ?? "", out level);

    public static CompatibilityLevel Parse(string name) =>
        TryParse(name, out var level) ? level : throw new FormatException($"'{name}' is not a compatibility level ({string.Join(", ", All)}).");
}
