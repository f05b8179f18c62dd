using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using CinematicSwitch.Ingest.Api;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Tenancy;

/// <summary>The authenticated caller: the tenant comes from the API key, never from the request body.</summary>
public sealed record Caller(string TenantId, bool TrustRequesterHeader);

/// <summary>
/// API keys are configured only as SHA-256 hashes; a presented key is hashed and looked up. Looking up a digest
/// leaks nothing useful through timing: an attacker cannot choose the digest of a key they do not know.
/// </summary>
internal sealed class TenantDirectory(IOptions<IngestOptions> options)
{
    public const string ApiKeyHeader = "X-Api-Key";

    private readonly FrozenDictionary<string, Caller> _byHash = options.Value.Tenants.ToFrozenDictionary(
        t => t.ApiKeySha256.ToLowerInvariant(), t => new Caller(t.TenantId, t.TrustRequesterHeader), StringComparer.Ordinal);

    /// <summary>The caller of a request (Authorization: Bearer, or X-Api-Key), or null when no valid key was presented.</summary>
    public Caller? Authenticate(HttpRequest request)
    {
        var bearer = BearerToken(request.Headers.Authorization);
        var apiKey = request.Headers[ApiKeyHeader].ToString().Trim();
        if (bearer.Length > 0 && apiKey.Length > 0 && !string.Equals(bearer, apiKey, StringComparison.Ordinal))
        {
            return null;
        }

        var key = bearer.Length > 0 ? bearer : apiKey;
        if (key.Length is 0 or > 512)
        {
            return null;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return _byHash.GetValueOrDefault(hash);
    }

    private static string BearerToken(string? authorization)
    {
        const string scheme = "Bearer ";
        return authorization is { Length: > 7 } && authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization[scheme.Length..].Trim()
            : "";
    }
}

/// <summary>Refuses requests without a valid API key (401) before their body is read.</summary>
internal sealed class TenantFilter(TenantDirectory tenants) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var caller = tenants.Authenticate(context.HttpContext.Request) ?? throw Problems.Unauthorized();
        context.HttpContext.Items[typeof(Caller)] = caller;
        return next(context);
    }
}

internal static class CallerAccess
{
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("The endpoint is not behind TenantFilter.");
}
