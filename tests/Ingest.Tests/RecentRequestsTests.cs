using System.Net;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>GET /requests: the calling tenant's latest requests, newest first, as GET /requests/{id} shows each.</summary>
[Trait("Category", "Stack")]
public sealed class RecentRequestsTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    [Fact]
    public async Task A_tenant_sees_its_own_requests_newest_first_up_to_the_limit()
    {
        // Tenants of their own in this fixture's topics: no other test adds to their lists.
        using var campaigns = fixture.Host.Client(TestTenants.Campaigns);
        using var globex = fixture.Host.Client(TestTenants.Globex);
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await fixture.SubmitAsync(campaigns)).Id);
        }

        var (other, _) = await fixture.SubmitAsync(globex);

        var two = await RecentAsync(campaigns, "?limit=2");
        Assert.Equal("campaigns", two.GetProperty("tenant_id").GetString());
        Assert.Equal([ids[2], ids[1]], two.GetProperty("requests").EnumerateArray().Select(r => r.RequestId()));

        var all = (await RecentAsync(campaigns, "")).GetProperty("requests").EnumerateArray().ToList();
        Assert.Equal([ids[2], ids[1], ids[0]], all.Select(r => r.RequestId()));
        Assert.All(all, r => Assert.Equal("pending", r.GetProperty("status").GetString()));
        Assert.All(all, r => Assert.Equal($"/requests/{r.RequestId()}", r.GetProperty("status_url").GetString()));

        Assert.Equal([other], (await RecentAsync(globex, "?limit=100")).GetProperty("requests").EnumerateArray().Select(r => r.RequestId()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("-1")]
    [InlineData("ten")]
    [InlineData("")]
    public async Task The_limit_is_a_whole_number_from_1_to_100(string limit)
    {
        using var client = fixture.Host.Client(TestTenants.Acme);

        using var response = await client.GetAsync($"/requests?limit={limit}");

        ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.BadRequest),
            new ValidationTests.Refusal(400, ApiErrors.InvalidInput, UserMessages.InvalidField("limit"), "limit"));
    }

    [Fact]
    public async Task The_store_orders_by_creation_forgets_evicted_requests_and_signals_each_change()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new IngestOptions { Status = new StatusOptions { MaxRequests = 100 } });
        var store = new RequestStatusStore(options);
        var t0 = DateTimeOffset.UtcNow;
        // Arrival order is not creation order: request i was created at t0 + (i * 7 % 150) seconds.
        var requests = Enumerable.Range(0, 150)
            .Select(i => PipelineTestbed.Request("acme", null, "a medieval knight in a castle") with { OccurredAt = t0.AddSeconds(i * 7 % 150) })
            .ToList();
        foreach (var request in requests)
        {
            store.Apply(request.RequestId, s => RequestState.OnRequested(s, request));
        }

        var kept = requests.Skip(50).OrderByDescending(r => r.OccurredAt).Select(r => r.RequestId).ToList();
        Assert.Equal(kept.Take(5), store.Recent("acme", 5).Select(s => s.RequestId));
        Assert.Equal(kept, store.Recent("acme", 1000).Select(s => s.RequestId));
        Assert.Empty(store.Recent("globex", 5));

        // An earlier attempt of the oldest kept request turns up (a replay's history): it is now the oldest by far.
        var oldest = requests.Single(r => r.RequestId == kept[^1]);
        var observed = store.Observe(oldest.RequestId, "acme")!;
        var earlier = oldest with { OccurredAt = t0.AddHours(-1) };
        store.Apply(oldest.RequestId, s => RequestState.OnRequested(s, earlier));
        Assert.True(observed.Changed.IsCompletedSuccessfully);
        Assert.Equal(earlier.OccurredAt, (await observed.Changed).CreatedAt);
        Assert.Equal(oldest.RequestId, store.Recent("acme", 1000)[^1].RequestId);
        Assert.Null(store.Observe(oldest.RequestId, "globex"));
    }

    private static async Task<System.Text.Json.JsonElement> RecentAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/requests{query}");
        return await response.ExpectAsync(HttpStatusCode.OK);
    }
}
