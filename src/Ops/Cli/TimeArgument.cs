using System.Globalization;
using System.Text.RegularExpressions;

namespace CinematicSwitch.Ops.Cli;

/// <summary>
/// A point in time on the command line: an ISO 8601 date or time (UTC unless it names an offset), "now", or an age
/// such as 90s, 30m, 6h, 2d or 1w meaning that long before now.
/// </summary>
internal static partial class TimeArgument
{
    public const string Help = "an ISO 8601 time (UTC unless an offset is given) or an age such as 30m, 6h, 2d, 1w";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset time)
    {
        text = text.Trim();
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase))
        {
            time = now;
            return true;
        }

        if (Age().Match(text) is { Success: true } age)
        {
            var amount = double.Parse(age.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = age.Groups[2].Value switch
            {
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                "d" => TimeSpan.FromDays(amount),
                _ => TimeSpan.FromDays(7 * amount),
            };
            time = now - span;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);
    }

    [GeneratedRegex("^([0-9]+(?:\\.[0-9]+)?)([smhdw])$")]
    private static partial Regex Age();
}

/// <summary>[Since, Until], either end open.</summary>
internal readonly record struct TimeRange(DateTimeOffset? Since, DateTimeOffset? Until)
{
    public bool Contains(DateTimeOffset time) => (Since is null || time >= Since) && (Until is null || time <= Until);
}

/// <summary>An exact value, or a prefix when it ends with '*' (e.g. "skill:*").</summary>
internal readonly record struct TextPattern(string Pattern)
{
    public bool Matches(string value) => Pattern.EndsWith('*')
        ? value.StartsWith(Pattern[..^1], StringComparison.Ordinal)
        : value.Equals(Pattern, StringComparison.Ordinal);

    /// <summary>True when there are no patterns (no filter) or one matches.</summary>
    public static bool Any(IReadOnlyCollection<TextPattern> patterns, string value) =>
        patterns.Count == 0 || patterns.Any(p => p.Matches(value));
}
