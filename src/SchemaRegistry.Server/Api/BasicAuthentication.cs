using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.SchemaRegistry.Server.Api;

/// <summary>HTTP basic authentication against the configured users, as the registry's basic auth realm does.</summary>
internal static class BasicAuthentication
{
    public static bool IsAuthorized(HttpRequest request, IReadOnlyDictionary<string, string> users)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        string credentials;
        try
        {
            credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && users.TryGetValue(credentials[..colon], out var password)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(credentials[(colon + 1)..]));
    }

    public static Task ChallengeAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"SchemaRegistry\"";
        return RegistryEndpoints.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, StatusCodes.Status401Unauthorized, "Unauthorized");
    }
}
