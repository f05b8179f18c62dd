using System.Net;
using System.Net.Http.Headers;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>API keys (configured as SHA-256 hashes) decide the tenant; without a valid one nothing is read or published.</summary>
[Trait("Category", "Stack")]
public sealed class AuthenticationTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    public static TheoryData<string, string?, string?, bool> Keys => new()
    {
        { "no key", null, null, false },
        { "unknown bearer key", "Bearer not-a-key", null, false },
        { "unknown X-Api-Key", null, "not-a-key", false },
        { "the key's hash instead of the key", $"Bearer {TestTenants.Acme.ApiKeySha256}", null, false },
        { "Basic scheme", $"Basic {TestTenants.Acme.ApiKey}", null, false },
        { "bearer and X-Api-Key disagree", $"Bearer {TestTenants.Acme.ApiKey}", TestTenants.Globex.ApiKey, false },
        { "bearer key", $"Bearer {TestTenants.Acme.ApiKey}", null, true },
        { "lower-case scheme", $"bearer {TestTenants.Acme.ApiKey}", null, true },
        { "X-Api-Key", null, TestTenants.Acme.ApiKey, true },
        { "both, the same key", $"Bearer {TestTenants.Acme.ApiKey}", TestTenants.Acme.ApiKey, true },
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task Post_with(string name, string? authorization, string? apiKey, bool accepted)
    {
        using var client = fixture.Host.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = Forms.ValidImage() };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await client.SendAsync(request);

        if (accepted)
        {
            var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
            Assert.Equal("acme", Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id).TenantId);
            return;
        }

        ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.Unauthorized),
            new ValidationTests.Refusal(401, ApiErrors.Unauthorized, UserMessages.Unauthorized, null));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.NotEmpty(name);
    }

    [Theory]
    [InlineData("GET", "/requests/00000000-0000-0000-0000-000000000001")]
    [InlineData("GET", "/requests/00000000-0000-0000-0000-000000000001/events")]
    [InlineData("GET", "/requests")]
    [InlineData("GET", "/credits")]
    [InlineData("POST", "/dev/run")]
    public async Task Every_api_endpoint_needs_a_key(string method, string path)
    {
        using var client = fixture.Host.Client();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Forms.Json(new { payload = new { prompt = Forms.ValidDescription } });
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Health_endpoints_need_no_key()
    {
        using var client = fixture.Host.Client();

        using var live = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await client.GetAsync("/readyz");
        Assert.NotEqual(HttpStatusCode.Unauthorized, ready.StatusCode);
        var checks = (await ready.ReadJsonAsync()).GetProperty("checks");

        // Ingest's own check; the dependencies' checks are ServiceDefaults' (s3rver's listing can be slow or fail
        // while other tests write, so their state here is not asserted).
        Assert.Equal("Healthy", checks.GetProperty("status-projection").GetProperty("status").GetString());
        Assert.Equal(["kafka", "s3", "schema-registry", "status-projection"], checks.EnumerateObject().Select(c => c.Name).Order());
    }

    [Fact]
    public async Task The_tenant_comes_from_the_key_never_from_the_body()
    {
        using var client = fixture.Host.Client(TestTenants.Globex);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTenants.Globex.ApiKey);

        using var response = await client.PostAsync("/generate/cinematic", Forms.ValidImage(("tenant_id", "acme")));

        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
        var e = Assert.Single((await fixture.RequestedAsync(1)), r => r.Message.Value.RequestId == id);
        Assert.Equal("globex", e.Message.Key);
        Assert.Equal("globex", e.Message.Value.TenantId);
        Assert.StartsWith("s3://cinematic-inputs/globex/", e.Message.Value.Media!.Uri, StringComparison.Ordinal);
    }
}
