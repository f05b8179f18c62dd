using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Running;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;
using CinematicSwitch.Providers.Webhooks;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// Webhooks between the adapters and the simulators, in process: the simulators refuse targets the real APIs refuse and sign what
/// they send; a receiver that checks deliveries with the library's checks and rings its doorbell gets a job read once, at once,
/// though the safety-net poll is far off.
/// </summary>
[Trait("Category", "Stack")]
public sealed class WebhookContractTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private const int SafetyNetMs = 9_500;

    [Fact]
    public async Task Replicate_refuses_webhooks_it_could_not_call_and_serves_the_signing_secret()
    {
        fixture.Simulators.Reset();
        var replicate = fixture.Simulators.Replicate;
        using var http = new HttpClient { BaseAddress = replicate.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new("Bearer", replicate.ApiKey);

        async Task<HttpStatusCode> CreateAsync(JsonObject extra)
        {
            var body = new JsonObject { ["input"] = new JsonObject { ["prompt"] = "a knight in a castle" } };
            foreach (var (key, value) in extra)
            {
                body[key] = value?.DeepClone();
            }

            using var response = await http.PostAsJsonAsync("v1/models/black-forest-labs/flux-dev/predictions", body);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync(new() { ["webhook"] = "http://hooks.example.com/replicate" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync(new() { ["webhook"] = "https://203.0.113.7/replicate" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync(new() { ["webhook"] = "not a url" }));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await CreateAsync(new()
        {
            ["webhook"] = "https://hooks.example.com/replicate",
            ["webhook_events_filter"] = new JsonArray("completed", "finished"),
        }));
        Assert.Empty(replicate.Jobs);
        Assert.Equal(HttpStatusCode.Created, await CreateAsync(new()
        {
            ["webhook"] = "https://hooks.example.com/replicate",
            ["webhook_events_filter"] = new JsonArray("completed"),
        }));

        var secret = await http.GetFromJsonAsync<JsonObject>("v1/webhooks/default/secret");
        Assert.Equal(replicate.WebhookSecret, secret!["key"]!.GetValue<string>());
        using var anonymous = new HttpClient();
        using var refused = await anonymous.GetAsync(new Uri(replicate.BaseUrl, "v1/webhooks/default/secret"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_replicate_job_is_read_once_when_its_signed_webhook_rings_the_doorbell()
    {
        var replicate = fixture.Simulators.Replicate;
        await using var receiver = await ReplicateReceiverAsync();
        await using var harness = receiver.Attach(ReplicateHarness(receiver));
        replicate.Latency = TimeSpan.FromMilliseconds(400);

        var outcome = await harness.RunAsync(Requests.Image()).WaitAsync(TimeSpan.FromMilliseconds(SafetyNetMs - 1_000));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(replicate.Jobs);
        Assert.Equal(job.Outputs, outcome.Result!.Outputs.Select(o => o.Url));
        // The secret was read from the API (none configured), and the delivery verified.
        Assert.Contains(replicate.Requests, r => r.Path == "/v1/webhooks/default/secret");
        Assert.Equal([(job.Id, WebhookVerdict.JobEnded)], receiver.Checks.Select(c => (c.JobId!, c.Verdict)));
        var read = Assert.Single(replicate.Requests, r => r.Method == "GET" && r.Path == $"/v1/predictions/{job.Id}");
        Assert.True(read.At >= job.EndedAt);
    }

    [Fact]
    public async Task A_read_after_the_doorbell_that_fails_is_tried_again_at_the_regular_interval_not_the_safety_nets()
    {
        var replicate = fixture.Simulators.Replicate;
        await using var receiver = await ReplicateReceiverAsync();
        await using var harness = receiver.Attach(ReplicateHarness(receiver));
        replicate.Latency = TimeSpan.FromMilliseconds(400);
        replicate.Faults.Add(new FaultRule(FaultKind.ServerError, FaultTarget.Poll, Count: 1));

        var outcome = await harness.RunAsync(Requests.Image()).WaitAsync(TimeSpan.FromMilliseconds(SafetyNetMs - 1_000));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(replicate.Jobs);
        Assert.Equal([500, 200], replicate.Requests.Where(r => r.Method == "GET" && r.Path == $"/v1/predictions/{job.Id}").Select(r => r.Status));
    }

    [Fact]
    public async Task A_doorbell_rung_again_for_the_same_job_costs_no_second_read()
    {
        // As when a redelivery reaches another Ingest instance, or Leonardo repeats a callback: two doorbells for one end.
        var replicate = fixture.Simulators.Replicate;
        await using var receiver = await ReplicateReceiverAsync(rings: 2);
        await using var harness = receiver.Attach(ReplicateHarness(receiver));
        replicate.Latency = TimeSpan.FromMilliseconds(400);

        var outcome = await harness.RunAsync(Requests.Image()).WaitAsync(TimeSpan.FromMilliseconds(SafetyNetMs - 1_000));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var job = Assert.Single(replicate.Jobs);
        Assert.Single(receiver.Checks);
        Assert.Single(replicate.Requests, r => r.Method == "GET" && r.Path == $"/v1/predictions/{job.Id}");
    }

    private static Task<Receiver> ReplicateReceiverAsync(int rings = 1) => Receiver.StartAsync((harness, context, body) => harness.Get<IProviderWebhooks>().CheckReplicateAsync(
        new StandardWebhookHeaders(context.Request.Headers["webhook-id"], context.Request.Headers["webhook-timestamp"], context.Request.Headers["webhook-signature"]),
        body, context.RequestAborted), Provider.Replicate, rings);

    /// <summary>Replicate with webhooks to <paramref name="receiver"/>, asynchronous creates, and a safety net beyond the test's wait.</summary>
    private Harness ReplicateHarness(Receiver receiver)
    {
        var harness = new Harness(fixture.Simulators, new Dictionary<string, string?>
        {
            ["Providers:Replicate:Webhook:Enabled"] = "true",
            ["Providers:Replicate:Webhook:Url"] = receiver.Server.Url("hook"),
            ["Providers:Replicate:Webhook:SafetyNetPollIntervalMs"] = SafetyNetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Providers:Replicate:PreferWaitSeconds"] = "0",
        });
        fixture.Simulators.Replicate.Webhooks.AcceptLoopback = true;
        return harness;
    }

    [Fact]
    public async Task A_leonardo_generation_is_read_once_when_its_callback_rings_the_doorbell()
    {
        const string callbackKey = "leonardo-callback-key-0123456789";
        var leonardo = fixture.Simulators.Leonardo;
        await using var receiver = await Receiver.StartAsync((harness, context, body) =>
            Task.FromResult(harness.Get<IProviderWebhooks>().CheckLeonardo(context.Request.Headers.Authorization, body.Span)), Provider.Leonardo);
        await using var harness = receiver.Attach(new Harness(fixture.Simulators, new Dictionary<string, string?>
        {
            ["Providers:Leonardo:Webhook:Enabled"] = "true",
            ["Providers:Leonardo:Webhook:Secret"] = callbackKey,
            ["Providers:Leonardo:Webhook:SafetyNetPollIntervalMs"] = SafetyNetMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        leonardo.Webhooks.AcceptLoopback = true;
        leonardo.ConfigureWebhook(receiver.Server.Url("hook"), callbackKey);
        try
        {
            leonardo.Latency = TimeSpan.FromMilliseconds(400);
            var outcome = await harness.RunAsync(Requests.TextToVideo() with { PreferredProvider = Provider.Leonardo })
                .WaitAsync(TimeSpan.FromMilliseconds(SafetyNetMs - 1_000));

            Assert.True(outcome.Succeeded, outcome.Failure?.Message);
            var job = Assert.Single(leonardo.Jobs);
            Assert.Equal([(job.Id, WebhookVerdict.JobEnded)], receiver.Checks.Select(c => (c.JobId!, c.Verdict)));
            Assert.Single(leonardo.Requests, r => r.Method == "GET" && r.Path == $"/api/rest/v1/generations/{job.Id}");

            // A callback with another key is refused and rings nothing.
            leonardo.ConfigureWebhook(receiver.Server.Url("hook"), callbackKey + "-old");
            var second = await harness.RunAsync(Requests.TextToVideo() with { PreferredProvider = Provider.Leonardo });
            Assert.True(second.Succeeded, second.Failure?.Message);
            Assert.Equal(WebhookVerdict.Unauthenticated, receiver.Checks[^1].Verdict);
            Assert.Contains(leonardo.Webhooks.Deliveries, d => d.Status == 401);
        }
        finally
        {
            leonardo.ConfigureWebhook(null, null);
        }
    }

    [Fact]
    public void Leonardo_takes_only_an_https_callback_on_a_domain()
    {
        var leonardo = fixture.Simulators.Leonardo;
        leonardo.Webhooks.AcceptLoopback = false;
        Assert.Throws<ArgumentException>(() => leonardo.ConfigureWebhook("http://hooks.example.com/leonardo", "key"));
        Assert.Throws<ArgumentException>(() => leonardo.ConfigureWebhook("http://127.0.0.1:9/leonardo", "key"));
    }

    /// <summary>A loopback endpoint standing in for Ingest: checks each delivery with the library and rings the doorbell for an ended job.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private Harness? harness;

        private Receiver(LoopbackServer server) => Server = server;

        public LoopbackServer Server { get; }

        public List<WebhookCheck> Checks { get; } = [];

        /// <param name="rings">How often the doorbell is rung for one ended job.</param>
        public static async Task<Receiver> StartAsync(Func<Harness, HttpContext, ReadOnlyMemory<byte>, Task<WebhookCheck>> check, Provider provider,
            int rings = 1)
        {
            Receiver? receiver = null;
            var server = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var result = await check(receiver!.harness!, context, buffer.ToArray());
                lock (receiver.Checks)
                {
                    receiver.Checks.Add(result);
                }

                if (result is { Verdict: WebhookVerdict.JobEnded, JobId: { } id })
                {
                    for (var ring = 0; ring < rings; ring++)
                    {
                        receiver.harness!.Get<IJobDoorbell>().Ring(provider, id);
                    }
                }

                return result.Verdict is WebhookVerdict.JobEnded or WebhookVerdict.Ignored ? Results.Ok() : Results.StatusCode(401);
            }));
            receiver = new Receiver(server);
            return receiver;
        }

        public Harness Attach(Harness attached) => harness = attached;

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
