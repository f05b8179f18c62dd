namespace CinematicSwitch.Ingest.Retention;

/// <summary>
/// Where Ingest stores a request's input: "{tenant}/{request id}/input.{extension}" in the inputs bucket. The layout is
/// what lets retention tie an object to its request, and only to a request of the tenant whose prefix it lies under.
/// </summary>
internal static class InputKeys
{
    /// <summary>The input's key without its extension (the uploader adds the one of the format it recognised).</summary>
    public static string Of(string tenantId, Guid requestId) => $"{tenantId}/{requestId:D}/input";

    /// <summary>
    /// The tenant and request of a key laid out as <see cref="Of"/> lays it out; false for any other object (a campaign's
    /// style image, a test's upload, another tool's object), which retention leaves to the bucket's lifecycle rule.
    /// </summary>
    public static bool TryParse(string key, out string tenantId, out Guid requestId)
    {
        tenantId = "";
        requestId = Guid.Empty;
        var parts = key.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[2].StartsWith("input.", StringComparison.Ordinal)
            || !Guid.TryParseExact(parts[1], "D", out requestId))
        {
            return false;
        }

        tenantId = parts[0];
        return true;
    }
}
