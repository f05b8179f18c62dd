using System.Net;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Kafka unreachable: a clear 503 within the publish timeout. A publish that timed out may have been written (librdkafka
/// cannot tell), so the answer says the outcome is unknown, names the request id and keeps the media; a retry with the
/// same key converges on that one request.
/// </summary>
[Trait("Category", "Stack")]
public sealed class UnavailableTests
{
    [Fact]
    public async Task With_every_broker_down_the_caller_gets_503_outcome_unknown_the_media_is_kept_and_a_retry_converges()
    {
        var stack = await SharedStack.GetAsync();
        using var kafka = TestKafka.StartPrivate();
        var prefix = TestKafka.NewPrefix("ingest503");
        await kafka.CreateTopologyAsync(prefix);
        await using var host = await IngestHost.StartAsync(IngestHost.Settings(kafka.BootstrapServers, prefix, stack.SchemaRegistry.Url, stack.S3,
            new Dictionary<string, string?> { ["Ingest:PublishTimeoutMs"] = "3000" }));
        using var client = host.Client(TestTenants.Acme);
        var store = stack.S3.CreateStore();

        // Up: accepted (this also registers the schema, so the registry is not what fails below).
        using (var warm = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await warm.ExpectAsync(HttpStatusCode.Accepted);
        }

        foreach (var broker in kafka.Faults.BrokerIds)
        {
            kafka.Faults.SetBrokerDown(broker);
        }

        var key = Guid.NewGuid().ToString();
        var id = RequestIds.FromIdempotencyKey(TestTenants.Acme.TenantId, key);
        using var down = await client.SendAsync(Request(key));

        var body = await down.ExpectAsync(HttpStatusCode.ServiceUnavailable);
        ValidationTests.AssertError(body, new ValidationTests.Refusal(503, ApiErrors.ServiceUnavailable, UserMessages.OutcomeUnknown, null));
        var details = body.Error().GetProperty("details");
        Assert.Equal("kafka", details.GetProperty("dependency").GetString());
        Assert.Equal("unknown", details.GetProperty("outcome").GetString());
        Assert.Equal(id, details.GetProperty("request_id").GetGuid());
        Assert.NotNull(down.Headers.RetryAfter);
        var listing = await store.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request
        {
            BucketName = store.Options.InputsBucket,
            Prefix = $"acme/{id}/",
        });
        Assert.Single(listing.S3Objects ?? []);
        Assert.Contains(host.Logs.Lines, l => l.Message.Contains($"Request {id}: the brokers did not confirm the event in time", StringComparison.Ordinal));

        foreach (var broker in kafka.Faults.BrokerIds)
        {
            kafka.Faults.SetBrokerUp(broker);
        }

        // The same Idempotency-Key, as the caller was told, until the client has reconnected: the same id, published this time.
        var retried = await RetryUntilAcceptedAsync(client, key);
        Assert.Equal(id, retried);
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        var events = await TopicReader.ReadAsync<string, TransformationRequested>(kafka.BootstrapServers, prefix + Topics.Requested, 2,
            serdes.Deserializer<TransformationRequested>());
        // Published again by a retry and by the resolver, it is still one request: the same id, the same media.
        Assert.Equal(2, events.Select(r => r.Message.Value.RequestId).Distinct().Count());
        Assert.Single(events.Where(r => r.Message.Value.RequestId == id).Select(r => r.Message.Value.Media!.Uri).Distinct());
    }

    private static async Task<Guid> RetryUntilAcceptedAsync(HttpClient client, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.SendAsync(Request(key));
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10)
            {
                return (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();
            }

            await Task.Delay(TimeSpan.FromSeconds(response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 1));
        }
    }

    private static HttpRequestMessage Request(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = Forms.ValidImage() };
        request.Headers.Add("Idempotency-Key", key);
        return request;
    }
}
