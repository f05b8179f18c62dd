using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>A misconfigured Ingest does not start, and says which option is wrong (never its secret value).</summary>
[Trait("Category", "Stack")]
public sealed class ConfigurationTests
{
    public static TheoryData<string, string?, string> Broken => new()
    {
        { "Ingest:Tenants:0:TenantId", null, "Ingest:Tenants: at least one tenant is required" },
        { "Ingest:Tenants:0:ApiKeySha256", "not-a-hash", "Ingest:Tenants:0:ApiKeySha256 must be the SHA-256" },
        { "Ingest:Tenants:1:TenantId", "acme/evil", "Ingest:Tenants:1:TenantId must be 1-64 letters" },
        { "Ingest:Tenants:1:ApiKeySha256", TestTenants.Acme.ApiKeySha256, "Ingest:Tenants: the same ApiKeySha256 is configured for acme, globex" },
        { "Ingest:UploadPartBytes", "1000", "Ingest:UploadPartBytes" },
        { "Ingest:PublishTimeoutMs", "10", "Ingest:PublishTimeoutMs" },
        { "Kafka:BootstrapServers", "", "Kafka:BootstrapServers" },
        { "SchemaRegistry:Url", "not a url", "SchemaRegistry:Url" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task Startup_fails_naming_the_option(string key, string? value, string message)
    {
        var stack = await SharedStack.GetAsync();
        var settings = IngestHost.Settings(stack.Kafka.BootstrapServers, TestKafka.NewPrefix("config"), stack.SchemaRegistry.Url, stack.S3,
            new Dictionary<string, string?> { [key] = value });
        if (value is null)
        {
            // No tenants at all.
            foreach (var tenantKey in settings.Keys.Where(k => k.StartsWith("Ingest:Tenants:", StringComparison.Ordinal)).ToList())
            {
                settings.Remove(tenantKey);
            }
        }

        var error = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => IngestHost.StartAsync(settings, waitUntilReady: false));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
