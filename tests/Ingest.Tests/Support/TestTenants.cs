using System.Security.Cryptography;
using System.Text;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>A tenant with its API key in plain text (tests only); Ingest is configured with the key's hash.</summary>
internal sealed record TestTenant(string TenantId, string ApiKey, bool TrustRequesterHeader = false)
{
    public string ApiKeySha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ApiKey)));
}

internal static class TestTenants
{
    public static readonly TestTenant Acme = new("acme", "acme-7c1e9f2a-test-key");
    public static readonly TestTenant Globex = new("globex", "globex-3b8d4e6f-test-key");
    public static readonly TestTenant Campaigns = new("campaigns", "campaigns-9a2f-test-key", TrustRequesterHeader: true);

    public static readonly TestTenant[] All = [Acme, Globex, Campaigns];
}
