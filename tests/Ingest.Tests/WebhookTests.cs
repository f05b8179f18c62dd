using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Webhooks;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Ingest's webhook endpoints as the providers call them, over HTTP, writing to the real broker: what verifies becomes one job
/// event (provider, job id, time; nothing of the body); everything else is refused with a 4xx and writes nothing.
/// </summary>
[Trait("Category", "Stack")]
public sealed class WebhookTests
{
    private const string LeonardoKey = "leonardo-callback-key-for-tests";

    [Fact]
    public async Task Verified_deliveries_become_job_events_and_forged_stale_or_incomplete_ones_are_refused_without_a_record()
    {
        await using var bed = await PipelineTestbed.StartAsync("webhooks-ingest", partitions: 2, latencyMs: 100);
        // No Replicate secret configured: Ingest reads it from the (simulated) API with its key, as from GET v1/webhooks/default/secret.
        var ingest = await bed.StartIngestAsync("ingest", "tenant-a", new Dictionary<string, string>
        {
            ["Providers:Replicate:Webhook:Enabled"] = "true",
            ["Providers:Replicate:Webhook:Url"] = "https://hooks.example.com/webhooks/replicate",
            ["Providers:Leonardo:Webhook:Enabled"] = "true",
            ["Providers:Leonardo:Webhook:Secret"] = LeonardoKey,
        });
        using var http = new HttpClient { BaseAddress = ingest.Url };
        Assert.True(SigningSecret.TryParse(bed.Simulators.Replicate.WebhookSecret, out var key));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var valid = await PostReplicateAsync(http, key, "pred-valid", "succeeded", now);
        var alsoValid = await PostReplicateAsync(http, key, "pred-failed", "failed", now, rotatedSecret: true);
        var notEnded = await PostReplicateAsync(http, key, "pred-running", "processing", now);
        var wrongKey = await PostReplicateAsync(http, Encoding.UTF8.GetBytes("not the account's key"), "pred-forged", "succeeded", now);
        var stale = await PostReplicateAsync(http, key, "pred-stale", "succeeded", now - 6 * 60);
        var future = await PostReplicateAsync(http, key, "pred-future", "succeeded", now + 6 * 60);
        var tampered = await PostReplicateAsync(http, key, "pred-tampered", "succeeded", now, tamper: true);
        var unsigned = await PostAsync(http, "/webhooks/replicate", Prediction("pred-unsigned", "succeeded"), null);

        var leonardo = await PostAsync(http, "/webhooks/leonardo", Generation("gen-valid"), r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LeonardoKey));
        var leonardoWrong = await PostAsync(http, "/webhooks/leonardo", Generation("gen-forged"),
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LeonardoKey + "x"));
        var leonardoMissing = await PostAsync(http, "/webhooks/leonardo", Generation("gen-anonymous"), null);

        Assert.Equal(HttpStatusCode.OK, valid);
        Assert.Equal(HttpStatusCode.OK, alsoValid);
        Assert.Equal(HttpStatusCode.OK, notEnded);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey);
        Assert.Equal(HttpStatusCode.Unauthorized, stale);
        Assert.Equal(HttpStatusCode.Unauthorized, future);
        Assert.Equal(HttpStatusCode.Unauthorized, tampered);
        Assert.Equal(HttpStatusCode.BadRequest, unsigned);
        Assert.Equal(HttpStatusCode.OK, leonardo);
        Assert.Equal(HttpStatusCode.Unauthorized, leonardoWrong);
        Assert.Equal(HttpStatusCode.BadRequest, leonardoMissing);

        var records = await bed.ReadRawAsync(Topics.ProviderJobEvents, expected: 3);
        var events = records.Select(r => (r.Message.Key, Event: ProviderJobEvent.FromJson(r.Message.Value))).ToList();
        Assert.Equal(
            [("leonardo", "gen-valid"), ("replicate", "pred-failed"), ("replicate", "pred-valid")],
            events.Select(e => (e.Event!.Provider, e.Event.JobId)).Order());
        Assert.All(events, e => Assert.Equal(e.Event!.JobId, e.Key));
        // A doorbell carries nothing of the delivery: no prompt, no output.
        Assert.All(records, r => Assert.DoesNotContain("knight", Encoding.UTF8.GetString(r.Message.Value!), StringComparison.Ordinal));
        Assert.DoesNotContain(bed.Logs, line => line.Contains("knight", StringComparison.Ordinal) || line.Contains(LeonardoKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_provider_whose_webhooks_are_off_has_no_endpoint()
    {
        await using var bed = await PipelineTestbed.StartAsync("webhooks-off", partitions: 1, latencyMs: 100);
        var ingest = await bed.StartIngestAsync("ingest", "tenant-a");
        using var http = new HttpClient { BaseAddress = ingest.Url };
        Assert.True(SigningSecret.TryParse(bed.Simulators.Replicate.WebhookSecret, out var key));

        Assert.Equal(HttpStatusCode.NotFound, await PostReplicateAsync(http, key, "pred-1", "succeeded", DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.Equal(HttpStatusCode.NotFound, await PostAsync(http, "/webhooks/leonardo", Generation("gen-1"), null));
        Assert.Empty(await bed.ReadRawAsync(Topics.ProviderJobEvents, expected: 0, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_redelivered_message_is_acknowledged_and_writes_no_second_job_event_but_another_message_about_the_job_does()
    {
        // One partition: the job events are read in the order they were written.
        await using var bed = await PipelineTestbed.StartAsync("webhooks-redelivered", partitions: 1, latencyMs: 100);
        var ingest = await bed.StartIngestAsync("ingest", "tenant-a", new Dictionary<string, string>
        {
            ["Providers:Replicate:Webhook:Enabled"] = "true",
            ["Providers:Replicate:Webhook:Url"] = "https://hooks.example.com/webhooks/replicate",
        });
        using var http = new HttpClient { BaseAddress = ingest.Url };
        Assert.True(SigningSecret.TryParse(bed.Simulators.Replicate.WebhookSecret, out var key));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // Replicate sends a message again with its webhook-id, signed anew; another message about the same job has its own id.
        HttpStatusCode[] answers =
        [
            await PostReplicateAsync(http, key, "pred-1", "succeeded", now, messageId: "msg_first"),
            await PostReplicateAsync(http, key, "pred-1", "succeeded", now + 1, messageId: "msg_first"),
            await PostReplicateAsync(http, key, "pred-2", "succeeded", now),
            await PostReplicateAsync(http, key, "pred-1", "succeeded", now, messageId: "msg_second"),
        ];

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));
        // Every 200 came after the broker's acknowledgement: the log holds all there is.
        var records = await bed.ReadRawAsync(Topics.ProviderJobEvents, expected: 3);
        Assert.Equal(["pred-1", "pred-2", "pred-1"], records.Select(r => ProviderJobEvent.FromJson(r.Message.Value)!.JobId));
    }

    private static async Task<HttpStatusCode> PostReplicateAsync(HttpClient http, byte[] key, string id, string status, long timestamp,
        bool rotatedSecret = false, bool tamper = false, string? messageId = null)
    {
        var body = Prediction(id, status);
        messageId ??= "msg_" + Guid.NewGuid().ToString("N");
        var signature = StandardWebhookVerifier.Sign(key, messageId, timestamp, body);
        if (rotatedSecret)
        {
            // During a rotation the old and the new secret both sign: one matching entry is enough.
            signature = StandardWebhookVerifier.Sign(Encoding.UTF8.GetBytes("the old secret"), messageId, timestamp, body) + " " + signature;
        }

        var sent = tamper ? Prediction(id, status, prompt: "a different knight") : body;
        return await PostAsync(http, "/webhooks/replicate", sent, r =>
        {
            r.Headers.Add("webhook-id", messageId);
            r.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            r.Headers.Add("webhook-signature", signature);
        });
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, string path, byte[] body, Action<HttpRequestMessage>? configure)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static byte[] Prediction(string id, string status, string prompt = "a medieval knight in a castle") => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = id,
        ["model"] = "black-forest-labs/flux-dev",
        ["status"] = status,
        ["input"] = new JsonObject { ["prompt"] = prompt },
        ["output"] = status == "succeeded" ? new JsonArray("https://replicate.delivery/forged.png") : null,
    }.ToJsonString());

    private static byte[] Generation(string id) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["type"] = "image_generation.complete",
        ["object"] = "generation",
        ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = id, ["status"] = "COMPLETE", ["prompt"] = "a medieval knight in a castle" } },
    }.ToJsonString());
}
