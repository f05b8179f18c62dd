using Level = Confluent.SchemaRegistry.Compatibility;

namespace CinematicSwitch.SchemaRegistry.Server;

/// <summary>The registry API's names of the compatibility levels (BACKWARD_TRANSITIVE, ...), over Confluent's enum.</summary>
public static class CompatibilityLevels
{
    private static readonly Dictionary<Level, string> Names = new()
    {
        [Level.None] = "NONE",
        [Level.Backward] = "BACKWARD",
        [Level.BackwardTransitive] = "BACKWARD_TRANSITIVE",
        [Level.Forward] = "FORWARD",
        [Level.ForwardTransitive] = "FORWARD_TRANSITIVE",
        [Level.Full] = "FULL",
        [Level.FullTransitive] = "FULL_TRANSITIVE",
    };

    private static readonly Dictionary<string, Level> Levels =
        Names.ToDictionary(kv => kv.Value, kv => kv.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>Every valid name, for messages.</summary>
    public static IEnumerable<string> All => Names.Values;

    public static string ToName(Level level) => Names[level];

    /// <summary>Parses a level name, case-insensitively as the registry does.</summary>
    public static bool TryParse(string? name, out Level level) => Levels.TryGetValue(name ?? "", out level);

    public static Level Parse(string name) =>
        TryParse(name, out var level) ? level : throw new FormatException($"'{name}' is not a compatibility level ({string.Join(", ", All)}).");
}
