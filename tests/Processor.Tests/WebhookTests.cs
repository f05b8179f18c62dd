using System.Net.Http.Headers;
using System.Text;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Webhooks;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// Webhooks as the fast path and polling as the safety net, with the services as processes: the simulator's signed webhook
/// reaches Ingest, Ingest's doorbell reaches the processor through Kafka, and the processor reads the job once. The simulator
/// counts the processor's reads (GET /v1/predictions/{id}).
/// </summary>
[Trait("Category", "Stack")]
public sealed class WebhookTests
{
    [Fact]
    public async Task A_job_whose_webhook_arrives_is_read_once_after_it_and_completes_long_before_the_safety_net_poll()
    {
        // The safety net is far beyond the time the outcome is waited for: only the doorbell can bring it in time.
        await using var bed = await StartAsync("webhook-fast", latencyMs: 1500, safetyNetMs: 170_000);
        var request = PipelineTestbed.Request("tenant-a", await bed.Bed.UploadImageAsync("tenant-a"), "a medieval knight in a castle courtyard");
        await bed.Bed.PublishAsync(request);

        var outcomes = await bed.Bed.OutcomesAsync(1, TimeSpan.FromSeconds(90));

        var completed = Assert.Single(outcomes.Completed);
        var job = Assert.Single(bed.Replicate.Jobs);
        Assert.Equal(job.Id, Assert.Single(completed.ProviderJobIds));
        Assert.Equal(job.Outputs, completed.Outputs.Select(o => o.Url));
        var delivery = Assert.Single(bed.Replicate.Webhooks.Deliveries);
        Assert.Equal((job.Id, 200, false), (delivery.JobId, delivery.Status, delivery.Dropped));
        var read = Assert.Single(Reads(bed.Replicate, job.Id));
        Assert.True(read.At >= job.EndedAt, "the one read came after the job ended");
    }

    [Fact]
    public async Task A_job_whose_webhook_is_lost_completes_at_the_safety_net_poll_not_at_the_regular_interval()
    {
        await using var bed = await StartAsync("webhook-lost", latencyMs: 1000, safetyNetMs: 4000);
        var request = PipelineTestbed.Request("tenant-a", await bed.Bed.UploadImageAsync("tenant-a"), "a knight in a castle [sim:webhook_lost]");
        await bed.Bed.PublishAsync(request);

        var outcomes = await bed.Bed.OutcomesAsync(1, TimeSpan.FromSeconds(90));

        var completed = Assert.Single(outcomes.Completed);
        var job = Assert.Single(bed.Replicate.Jobs);
        Assert.Equal(job.Outputs, completed.Outputs.Select(o => o.Url));
        Assert.True(Assert.Single(bed.Replicate.Webhooks.Deliveries).Dropped);
        // Polled every 4 s rather than every 200 ms (the regular interval): the first poll, after the job's 1 s, finds it done.
        Assert.Single(Reads(bed.Replicate, job.Id));
    }

    [Fact]
    public async Task A_forged_doorbell_for_an_unfinished_job_costs_one_read_and_completes_nothing()
    {
        await using var bed = await StartAsync("webhook-forged", latencyMs: 15_000, safetyNetMs: 170_000);
        var request = PipelineTestbed.Request("tenant-a", await bed.Bed.UploadImageAsync("tenant-a"), "a medieval knight in a castle courtyard");
        await bed.Bed.PublishAsync(request);
        await bed.Replicate.WaitForJobsAsync(1, TimeSpan.FromSeconds(60));
        var job = Assert.Single(bed.Replicate.Jobs);

        // Authentic as far as the signature goes, lying about the job: it claims success with outputs of its own.
        var forged = Encoding.UTF8.GetBytes($$"""{"id":"{{job.Id}}","status":"succeeded","output":["https://replicate.delivery/forged.png"]}""");
        Assert.Equal(System.Net.HttpStatusCode.OK, await PostSignedAsync(bed, forged));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Reads(bed.Replicate, job.Id).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the doorbell never made the processor read the job");
            await Task.Delay(100);
        }

        Assert.True(Reads(bed.Replicate, job.Id)[0].At < job.CreatedAt + bed.Replicate.Latency, "the read came while the job was still running");
        Assert.Equal(0, (await bed.Bed.OutcomesAsync(0, TimeSpan.Zero)).Count);

        // The real webhook then finishes it, with the provider's outputs, not the forged ones.
        var completed = Assert.Single((await bed.Bed.OutcomesAsync(1, TimeSpan.FromSeconds(90))).Completed);
        Assert.Equal(job.Outputs, completed.Outputs.Select(o => o.Url));
        Assert.Equal(2, Reads(bed.Replicate, job.Id).Count);
    }

    private static List<SimRequestRecord> Reads(ProviderSimulator replicate, string jobId) =>
        replicate.Requests.Where(r => r.Method == "GET" && r.Path == $"/v1/predictions/{jobId}").ToList();

    private static async Task<System.Net.HttpStatusCode> PostSignedAsync(WebhookBed bed, byte[] body)
    {
        Assert.True(SigningSecret.TryParse(bed.Replicate.WebhookSecret, out var key));
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient { BaseAddress = bed.Ingest.Url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/replicate") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", StandardWebhookVerifier.Sign(key, id, timestamp, body));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>
    /// Ingest (the webhook endpoint) and a processor with Replicate's webhooks on, the simulator delivering to Ingest on loopback;
    /// Replicate creates asynchronously (no Prefer: wait), so the create answer never carries the outcome.
    /// </summary>
    private static async Task<WebhookBed> StartAsync(string test, int latencyMs, int safetyNetMs)
    {
        var bed = await PipelineTestbed.StartAsync(test, partitions: 2, latencyMs);
        bed.Simulators.Replicate.Webhooks.AcceptLoopback = true;
        var port = LoopbackPorts.Free();
        var webhooks = new Dictionary<string, string>
        {
            ["Providers:Replicate:Webhook:Enabled"] = "true",
            ["Providers:Replicate:Webhook:Url"] = $"http://127.0.0.1:{port}/webhooks/replicate",
            ["Providers:Replicate:Webhook:SafetyNetPollIntervalMs"] = safetyNetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Providers:Replicate:PreferWaitSeconds"] = "0",
        };
        var ingest = await bed.StartIngestAsync("ingest", "tenant-a", webhooks, port);
        bed.StartProcessor("processor", webhooks);
        return new WebhookBed(bed, ingest);
    }

    private sealed record WebhookBed(PipelineTestbed Bed, IngestProcess Ingest) : IAsyncDisposable
    {
        public Providers.Simulators.ReplicateSimulator Replicate => Bed.Simulators.Replicate;

        public ValueTask DisposeAsync() => Bed.DisposeAsync();
    }
}
