using System.Globalization;

namespace CinematicSwitch.Ingest.Api;

/// <summary>
/// Error details travel in events as an Avro map of strings; the API gives them back the JSON types the service spec's
/// examples show (<c>"timeout_seconds": 60</c>, <c>"status": 500</c>): numbers and true/false as such, everything else,
/// and identifiers whatever they look like, as strings.
/// </summary>
internal static class DetailValues
{
    public static object? Typed(string key, string value)
    {
        if (IsIdentifier(key))
        {
            return value;
        }

        if (value is "true" or "false")
        {
            return value == "true";
        }

        // Only the canonical spelling becomes a number, so that nothing changes on the way back to text ("007" stays).
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
            && whole.ToString(CultureInfo.InvariantCulture) == value)
        {
            return whole;
        }

        return decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction)
               && fraction.ToString(CultureInfo.InvariantCulture) == value
            ? fraction
            : value;
    }

    // A provider's job id may be all digits; it is still an id.
    private static bool IsIdentifier(string key) =>
        key.Equals("id", StringComparison.OrdinalIgnoreCase) || key.EndsWith("Id", StringComparison.Ordinal) || key.EndsWith("_id", StringComparison.Ordinal);
}
