using System.Net;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>Heartbeats every second, so that a test sees them without waiting the default 15 s.</summary>
public sealed class RequestEventsFixture : IngestFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings =>
        new Dictionary<string, string?> { ["Ingest:Status:EventsHeartbeatSeconds"] = "1" };
}

/// <summary>GET /requests/{id}/events: the status view as server-sent events, for the request's own tenant only.</summary>
[Trait("Category", "Stack")]
public sealed class RequestEventsTests(RequestEventsFixture fixture) : IClassFixture<RequestEventsFixture>
{
    [Fact]
    public async Task The_stream_sends_the_status_now_and_at_each_change_and_ends_with_the_completed_one()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client);
        using var stream = await EventStream.OpenAsync(client, $"/requests/{id}/events");
        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(stream.Response.Headers.CacheControl?.NoCache);

        var pending = await NextStatusAsync(stream, "pending");
        Assert.Equal(id, pending.RequestId());
        Assert.Equal("queued", pending.GetProperty("stage").GetString());
        Assert.False(pending.TryGetProperty("provider", out _));

        // A provider job is being started: still pending, now generating with that provider; then a fallback provider's job.
        await fixture.ProduceAsync(Topics.Started, Outcomes.Started(requested, Provider.Runway));
        var generating = await NextStatusAsync(stream, "pending");
        Assert.Equal(("generating", "RUNWAY"), (generating.GetProperty("stage").GetString(), generating.GetProperty("provider").GetString()));
        await fixture.ProduceAsync(Topics.Started, Outcomes.Started(requested, Provider.Leonardo, "motion-2.0"));
        Assert.Equal("LEONARDO", (await NextStatusAsync(stream, "pending")).GetProperty("provider").GetString());

        await fixture.ProduceAsync(Topics.Completed, Outcomes.Completed(requested));
        var processing = await NextStatusAsync(stream, "processing");
        Assert.Equal("archiving", processing.GetProperty("stage").GetString());
        Assert.False(processing.TryGetProperty("provider", out _));

        var (archived, outputs) = await Outcomes.ArchiveAsync(fixture.Store, requested);
        await fixture.ProduceAsync(Topics.Archived, archived);
        var completed = await NextStatusAsync(stream, "completed");
        Assert.Null(await stream.NextAsync());

        // The same view as GET /requests/{id}, with links that save each output under a file name.
        var download = Assert.Single(completed.GetProperty("download_urls").EnumerateArray()).GetString()!;
        using var http = new HttpClient();
        using var saved = await http.GetAsync(download);
        Assert.Equal(outputs[0], await saved.Content.ReadAsByteArrayAsync());
        Assert.Equal("attachment", saved.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"cinematic-switch-{id}-1.png", saved.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(outputs[0], await http.GetByteArrayAsync(
            Assert.Single(completed.GetProperty("result").GetProperty("data").GetProperty("transformed_media_urls").EnumerateArray()).GetString()));

        // Opened again once finished: the outcome at once, and the end.
        using var again = await EventStream.OpenAsync(client, $"/requests/{id}/events");
        await NextStatusAsync(again, "completed");
        Assert.Null(await again.NextAsync());
    }

    [Fact]
    public async Task A_failed_request_ends_the_stream_with_the_spec_error()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, requested) = await fixture.SubmitAsync(client);
        using var stream = await EventStream.OpenAsync(client, $"/requests/{id}/events");
        await NextStatusAsync(stream, "pending");

        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(requested, ErrorCode.TimeoutError, "Runway did not finish within 300 s"));
        var failed = await NextStatusAsync(stream, "failed");
        Assert.False(failed.GetProperty("success").GetBoolean());
        Assert.Equal(ApiErrors.Timeout, failed.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(UserMessages.Timeout, failed.GetProperty("error").GetProperty("message").GetString());
        Assert.Null(await stream.NextAsync());
    }

    [Fact]
    public async Task A_quiet_stream_gets_heartbeats_and_ends_when_the_client_leaves()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (id, _) = await fixture.SubmitAsync(client);
        var stream = await EventStream.OpenAsync(client, $"/requests/{id}/events");
        await NextStatusAsync(stream, "pending");

        // Nothing changes: only comments arrive (every second here), which keep proxies from closing the connection. How many
        // come in a given time depends on the machine's load (one in 3.5 s was seen): two more, and no event meanwhile.
        await stream.WaitForCommentsAsync(stream.Comments + 2, TimeSpan.FromSeconds(30));

        stream.Dispose();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!fixture.Host.Logs.Lines.Any(l => l.Message.Contains($"/requests/{id}/events", StringComparison.Ordinal) && l.Message.Contains("ended: client disconnected", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "The stream did not end after the client left.");
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> NextStatusAsync(EventStream stream, string status)
    {
        var next = await stream.NextAsync() ?? throw new InvalidOperationException($"The stream ended before '{status}'.");
        Assert.Equal("status", next.Type);
        Assert.Equal(status, next.Data.GetProperty("status").GetString());
        return next.Data;
    }
}
