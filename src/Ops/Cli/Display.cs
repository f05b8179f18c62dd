using System.Globalization;
using System.Text.Json;

namespace CinematicSwitch.Ops.Cli;

/// <summary>How values look in tables: the same text the JSON output carries.</summary>
internal static class Display
{
    /// <summary>An enum as its Avro symbol: TimeoutError is TIMEOUT_ERROR.</summary>
    public static string Symbol<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());

    public static string Symbol<T>(T? value)
        where T : struct, Enum => value is { } v ? Symbol(v) : "";

    /// <summary>An enum of this tool (states, actions) in kebab case: CompletedLater is completed-later.</summary>
    public static string Kebab<T>(T value)
        where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>Parses an enum written in any of the forms above, or as its C# name.</summary>
    public static bool TryParse<T>(string text, out T value)
        where T : struct, Enum
    {
        var wanted = Normalize(text);
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (Normalize(candidate.ToString()) == wanted)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? time) => time is { } t ? Time(t) : "";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Normalize(string text) =>
        new(text.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
}
