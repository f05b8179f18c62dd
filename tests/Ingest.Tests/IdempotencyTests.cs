using System.Net;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>An Idempotency-Key makes a retried POST return the same request id without a second event.</summary>
[Trait("Category", "Stack")]
public sealed class IdempotencyTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    [Fact]
    public async Task A_retry_gets_the_same_id_and_publishes_nothing_more()
    {
        var key = Guid.NewGuid().ToString();
        using var client = fixture.Host.Client(TestTenants.Acme);

        var (first, _) = await PostAsync(client, key);
        var (second, replayed) = await PostAsync(client, key);

        Assert.Equal(first, second);
        Assert.True(replayed);
        Assert.Single(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == first);
    }

    [Fact]
    public async Task The_same_key_from_two_tenants_is_two_requests()
    {
        var key = Guid.NewGuid().ToString();
        using var acme = fixture.Host.Client(TestTenants.Acme);
        using var globex = fixture.Host.Client(TestTenants.Globex);

        var (a, _) = await PostAsync(acme, key);
        var (g, replayed) = await PostAsync(globex, key);

        Assert.NotEqual(a, g);
        Assert.False(replayed);
        var events = await fixture.RequestedAsync(2);
        Assert.Equal("acme", Assert.Single(events, r => r.Message.Value.RequestId == a).Message.Key);
        Assert.Equal("globex", Assert.Single(events, r => r.Message.Value.RequestId == g).Message.Key);
    }

    [Fact]
    public async Task Without_a_key_every_post_is_a_new_request()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);

        var (first, _) = await PostAsync(client, null);
        var (second, _) = await PostAsync(client, null);

        Assert.NotEqual(first, second);
        // Fresh ids are time-ordered UUIDv7s.
        Assert.Equal(7, first.Version);
    }

    [Fact]
    public async Task Concurrent_retries_publish_once()
    {
        var key = Guid.NewGuid().ToString();
        using var client = fixture.Host.Client(TestTenants.Acme);

        // Bodies large enough that the two requests overlap.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 3).Select(async _ =>
        {
            using var request = Request(key, TestMedia.Mp4(12 * 1024 * 1024).ToContent("video/mp4"));
            using var response = await client.SendAsync(request);
            return (response.StatusCode, Body: await response.ReadJsonAsync());
        }));

        var accepted = attempts.Where(a => a.StatusCode == HttpStatusCode.Accepted).ToList();
        Assert.NotEmpty(accepted);
        Assert.Single(accepted.Select(a => a.Body.RequestId()).Distinct());
        // The others were told the first is still in flight.
        Assert.All(attempts.Where(a => a.StatusCode != HttpStatusCode.Accepted), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.StatusCode);
            Assert.Equal("IDEMPOTENCY_CONFLICT", a.Body.Error().GetProperty("code").GetString());
        });
        var id = accepted[0].Body.RequestId();
        Assert.Single(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == id);
    }

    [Fact]
    public async Task A_retry_after_a_restart_gets_the_same_id_and_publishes_nothing_more()
    {
        var key = Guid.NewGuid().ToString();
        Guid first;
        await using (var before = await fixture.StartHostAsync())
        {
            using var client = before.Client(TestTenants.Acme);
            (first, _) = await PostAsync(client, key);
        }

        await using var after = await fixture.StartHostAsync();
        using var again = after.Client(TestTenants.Acme);
        var (second, replayed) = await PostAsync(again, key);

        Assert.Equal(first, second);
        Assert.True(replayed);
        Assert.Single(await fixture.RequestedAsync(1), r => r.Message.Value.RequestId == first);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("has\ttab")]
    public async Task An_unusable_key_is_refused(string key)
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = Forms.ValidImage() };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key.Length == 0 ? new string('k', 256) : key);

        using var response = await client.SendAsync(request);

        ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.BadRequest),
            new ValidationTests.Refusal(400, "INVALID_INPUT", "Invalid value for field: Idempotency-Key", "Idempotency-Key"));
    }

    private static HttpRequestMessage Request(string? key, HttpContent? media = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic")
        {
            Content = media is null ? Forms.ValidImage() : Forms.Multipart(media, "clip.mp4", ("scene_description", Forms.ValidDescription)),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return request;
    }

    private static async Task<(Guid Id, bool Replayed)> PostAsync(HttpClient client, string? key)
    {
        using var request = Request(key);
        using var response = await client.SendAsync(request);
        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
        return (id, response.Headers.TryGetValues("Idempotent-Replayed", out var values) && values.Single() == "true");
    }
}
