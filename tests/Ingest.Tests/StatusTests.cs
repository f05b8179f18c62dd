using System.Net;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>GET /requests/{id} and GET /credits, answered from the projection of the topics.</summary>
[Trait("Category", "Stack")]
public sealed class StatusTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    [Fact]
    public async Task A_request_is_pending_then_processing_then_completed_with_links_to_its_archived_outputs()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client, ("output_count", "2"));

        var pending = await StatusAsync(client, id);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.True(pending.GetProperty("success").GetBoolean());
        Assert.Equal("IMAGE_GENERATION", pending.GetProperty("task").GetString());
        Assert.Equal(2, pending.GetProperty("output_count").GetInt32());
        Assert.Equal("image/png", pending.GetProperty("media").GetProperty("content_type").GetString());
        Assert.Equal("IMAGE", pending.GetProperty("media").GetProperty("kind").GetString());
        Assert.Equal(requested.Media!.SizeBytes, pending.GetProperty("media").GetProperty("size_bytes").GetInt64());
        Assert.False(pending.TryGetProperty("result", out _));

        await fixture.ProduceAsync(Topics.Completed, Outcomes.Completed(requested, 12_340, "Failed to generate variation 2"));
        var processing = await EventuallyAsync(client, id, "processing");
        Assert.Equal("archiving", processing.GetProperty("stage").GetString());

        var (archived, outputs) = await Outcomes.ArchiveAsync(fixture.Store, requested with { OutputCount = 1 });
        await fixture.ProduceAsync(Topics.Archived, archived with { Warnings = ["Failed to generate variation 2"] });
        var completed = await EventuallyAsync(client, id, "completed");

        var data = completed.GetProperty("result").GetProperty("data");
        Assert.Equal("REPLICATE", completed.GetProperty("result").GetProperty("provider").GetString());
        Assert.Equal(12.3, data.GetProperty("processing_time").GetDouble());
        Assert.Equal(1, data.GetProperty("variation_count").GetInt32());
        Assert.Equal(["Failed to generate variation 2"], data.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        var url = Assert.Single(data.GetProperty("transformed_media_urls").EnumerateArray()).GetString()!;
        using var http = new HttpClient();
        Assert.Equal(outputs[0], await http.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task An_archived_link_that_is_still_valid_is_given_as_is()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client);
        await fixture.ProduceAsync(Topics.Completed, Outcomes.Completed(requested));
        var (archived, _) = await Outcomes.ArchiveAsync(fixture.Store, requested, httpsUrl: "https://cdn.example.com/output-0.png");
        await fixture.ProduceAsync(Topics.Archived, archived);

        var completed = await EventuallyAsync(client, id, "completed");

        Assert.Equal("https://cdn.example.com/output-0.png",
            completed.GetProperty("result").GetProperty("data").GetProperty("transformed_media_urls")[0].GetString());
    }

    [Fact]
    public async Task A_failed_request_carries_the_spec_error_and_a_replay_makes_it_pending_again()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client);
        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(requested, ErrorCode.InvalidInput, UserMessages.UnsupportedFormat, provider: null,
            details: ("field", "media")));

        var failed = await EventuallyAsync(client, id, "failed");
        Assert.False(failed.GetProperty("success").GetBoolean());
        var error = failed.GetProperty("error");
        Assert.Equal("INVALID_INPUT", error.GetProperty("code").GetString());
        Assert.Equal(UserMessages.UnsupportedFormat, error.GetProperty("message").GetString());
        Assert.Equal(400, error.GetProperty("statusCode").GetInt32());
        Assert.Equal("media", error.GetProperty("details").GetProperty("field").GetString());

        // An operator's replay: the same request id, a later request time.
        var replay = requested with
        {
            OccurredAt = requested.OccurredAt.AddSeconds(30),
            Replay = new ReplayInfo(1, DateTimeOffset.UtcNow, "ops", ErrorCode.InvalidInput, UserMessages.UnsupportedFormat),
        };
        await fixture.ProduceAsync(Topics.Requested, replay);
        await EventuallyAsync(client, id, "pending");
    }

    [Fact]
    public async Task Another_tenants_request_is_answered_like_an_unknown_one()
    {
        using var acme = fixture.Host.Client(TestTenants.Acme);
        using var globex = fixture.Host.Client(TestTenants.Globex);
        var (id, _) = await fixture.SubmitAsync(acme);

        // The event stream too, before it starts: a JSON 404, not an empty stream.
        foreach (var path in new[] { $"/requests/{id}", $"/requests/{Guid.NewGuid()}", "/requests/not-a-guid", $"/requests/{id}/events",
                     $"/requests/{Guid.NewGuid()}/events", "/requests/not-a-guid/events" })
        {
            using var response = await globex.GetAsync(path);
            ValidationTests.AssertError(await response.ExpectAsync(HttpStatusCode.NotFound),
                new ValidationTests.Refusal(404, ApiErrors.NotFound, UserMessages.RequestNotFound, null));
        }

        await StatusAsync(acme, id);
    }

    [Fact]
    public async Task Status_survives_a_restart_and_is_the_same_on_another_instance()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client);
        await Outcomes.SucceedAsync(fixture, requested);
        var before = await EventuallyAsync(client, id, "completed");

        // A fresh instance knows nothing but what it reads from the topics.
        await using var other = await fixture.StartHostAsync();
        using var otherClient = other.Client(TestTenants.Acme);
        var after = await StatusAsync(otherClient, id);

        Assert.Equal("completed", after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("created_at").GetString(), after.GetProperty("created_at").GetString());
        Assert.Equal(before.GetProperty("media").GetRawText(), after.GetProperty("media").GetRawText());
        Assert.Equal(before.GetProperty("result").GetProperty("data").GetProperty("model_used").GetString(),
            after.GetProperty("result").GetProperty("data").GetProperty("model_used").GetString());
    }

    [Fact]
    public async Task Credits_show_the_calling_tenants_ledger_only()
    {
        // A tenant of its own, so that other tests' credits do not count.
        await fixture.ProduceAsync(Topics.CreditsRecorded, Outcomes.Credits(TestTenants.Campaigns.TenantId, 0.025m));
        await fixture.ProduceAsync(Topics.CreditsRecorded, Outcomes.Credits(TestTenants.Campaigns.TenantId, 10m, "runway_credits"));
        await fixture.ProduceAsync(Topics.CreditsRecorded, Outcomes.Credits(TestTenants.Campaigns.TenantId, 0.05m));
        await fixture.ProduceAsync(Topics.CreditsRecorded, Outcomes.Credits(TestTenants.Globex.TenantId, 99m));
        using var client = fixture.Host.Client(TestTenants.Campaigns);

        JsonElement body = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            using var response = await client.GetAsync("/credits");
            body = await response.ExpectAsync(HttpStatusCode.OK);
            if (body.GetProperty("recent").GetArrayLength() == 3)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("campaigns", body.GetProperty("tenant_id").GetString());
        var totals = body.GetProperty("totals").EnumerateArray()
            .ToDictionary(t => t.GetProperty("credit_unit").GetString()!, t => (t.GetProperty("credits").GetDecimal(), t.GetProperty("requests").GetInt32()));
        Assert.Equal(new Dictionary<string, (decimal, int)> { ["runway_credits"] = (10m, 1), ["usd"] = (0.075m, 2) }, totals);
        var recent = body.GetProperty("recent").EnumerateArray().Select(e => e.GetProperty("credits").GetDecimal()).ToList();
        Assert.Equal([0.05m, 10m, 0.025m], recent);
    }

    private static async Task<JsonElement> StatusAsync(HttpClient client, Guid id)
    {
        using var response = await client.GetAsync($"/requests/{id}");
        var body = await response.ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(id, body.RequestId());
        return body;
    }

    /// <summary>The status once the projection has read the events (it lags the topics by a poll).</summary>
    private static async Task<JsonElement> EventuallyAsync(HttpClient client, Guid id, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var body = await StatusAsync(client, id);
            if (body.GetProperty("status").GetString() == status || DateTime.UtcNow > deadline)
            {
                Assert.Equal(status, body.GetProperty("status").GetString());
                return body;
            }

            await Task.Delay(100);
        }
    }
}
