using System.Net;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Issue 17 item 3: an answer means what it says. The embedded cluster stalls (its brokers write, then answer after the
/// publish timeout) and then goes down; every answer given meanwhile is checked against what is on the topic and in S3,
/// and retries with the same Idempotency-Key converge on the one request that exists.
/// </summary>
[Trait("Category", "Stack")]
public sealed class StalledPublishTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Answers_given_while_the_cluster_stalls_hold_and_retries_with_the_same_key_converge()
    {
        var stack = await SharedStack.GetAsync();
        using var kafka = TestKafka.StartPrivate();
        var prefix = TestKafka.NewPrefix("stall");
        await kafka.CreateTopologyAsync(prefix);
        await using var host = await IngestHost.StartAsync(IngestHost.Settings(kafka.BootstrapServers, prefix, stack.SchemaRegistry.Url, stack.S3,
            new Dictionary<string, string?> { ["Ingest:PublishTimeoutMs"] = "2000", ["Ingest:Limits:MaxConcurrentUploadsPerTenant"] = "12" }));
        using var client = host.Client(TestTenants.Acme);
        var store = stack.S3.CreateStore();
        using (var warm = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await warm.ExpectAsync(HttpStatusCode.Accepted);
        }

        // Stalled: each produce request is written at once and answered long after the publish timeout.
        SetRoundTrip(kafka, TimeSpan.FromSeconds(6));
        var stalled = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(client, Guid.NewGuid().ToString())));
        SetRoundTrip(kafka, TimeSpan.Zero);

        // Down: nothing can be written.
        foreach (var broker in kafka.Faults.BrokerIds)
        {
            kafka.Faults.SetBrokerDown(broker);
        }

        var down = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendAsync(client, Guid.NewGuid().ToString())));
        foreach (var broker in kafka.Faults.BrokerIds)
        {
            kafka.Faults.SetBrokerUp(broker);
        }

        // Refused by the brokers: certainly not written.
        await RetryUntilAcceptedAsync(client, Guid.NewGuid().ToString());
        kafka.Faults.InjectRequestErrors(KafkaApi.Produce, [.. Enumerable.Repeat(Confluent.Kafka.ErrorCode.TopicAuthorizationFailed, 2)]);
        var refused = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => SendAsync(client, Guid.NewGuid().ToString())));
        kafka.Faults.ClearRequestErrors(KafkaApi.Produce);

        Answer[] answers = [.. stalled, .. down, .. refused];
        output.WriteLine(string.Join("\n", answers.Select(a => $"{a.Id}: {a.Status} {a.Outcome}")));
        Assert.All(answers, a => Assert.True(a.Status is 202 or 503, $"HTTP {a.Status}"));
        Assert.All(answers.Where(a => a.Outcome == "unknown"), a => Assert.Equal(a.Id, a.ReportedId));

        // What exists must be what was said: a request not accepted left nothing; one accepted, or of unknown outcome
        // (settled by publishing it again), is on the topic with its media.
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        var existing = answers.Where(a => a.Outcome != "not_accepted").ToList();
        var events = await ReadEventsAsync(kafka, prefix, serdes, existing.Select(a => a.Id).Append(Guid.Empty).Count());
        foreach (var answer in answers)
        {
            var published = events.Where(e => e.RequestId == answer.Id).ToList();
            var objects = await ObjectsAsync(store, answer.Id);
            if (answer.Outcome == "not_accepted")
            {
                Assert.True(published.Count == 0, $"{answer.Id} was answered 'not accepted' and is on the topic");
                Assert.True(objects.Count == 0, $"{answer.Id} was answered 'not accepted' and left {objects.Count} objects");
            }
            else
            {
                Assert.True(published.Count > 0, $"{answer.Id} was answered {answer.Status} ({answer.Outcome}) and is not on the topic");
                Assert.Equal(S3ObjectRef.Parse(published[0].Media!.Uri).Key, Assert.Single(objects).Key);
            }
        }

        // The stall did leave publishes in doubt, and the brokers' refusal was told as such (else this test proved nothing).
        Assert.Contains(answers, a => a.Outcome == "unknown");
        Assert.Contains(answers, a => a.Outcome == "not_accepted");

        // Retries with the same key converge on the one request: the same id, 202; nothing that exists is uploaded again.
        foreach (var answer in answers)
        {
            var retried = await RetryUntilAcceptedAsync(client, answer.Key);
            Assert.Equal(answer.Id, retried.Id);
            Assert.Equal(answer.Outcome != "not_accepted", retried.Replayed);
        }

        events = await ReadEventsAsync(kafka, prefix, serdes, answers.Length + 1);
        Assert.Equal(answers.Select(a => a.Id).Order(), events.Select(e => e.RequestId).Where(answers.Select(a => a.Id).Contains).Distinct().Order());
        foreach (var group in events.GroupBy(e => e.RequestId))
        {
            // Published again, it is the same event: the same media, which is still there.
            var media = Assert.Single(group.Select(e => e.Media!.Uri).Distinct());
            Assert.Single(await ObjectsAsync(store, group.Key), o => o.Key == S3ObjectRef.Parse(media).Key);
        }
    }

    private static void SetRoundTrip(TestKafka kafka, TimeSpan rtt)
    {
        foreach (var broker in kafka.Faults.BrokerIds)
        {
            kafka.Faults.SetBrokerRoundTrip(broker, rtt);
        }
    }

    private static async Task<Answer> SendAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = Forms.ValidImage() };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await client.SendAsync(request);
        var body = await response.ReadJsonAsync();
        var id = RequestIds.FromIdempotencyKey(TestTenants.Acme.TenantId, key);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new Answer(key, id, 202, "accepted", body.RequestId(), response.Headers.Contains("Idempotent-Replayed"));
        }

        var details = body.Error().GetProperty("details");
        Assert.True(details.TryGetProperty("outcome", out var outcome), $"HTTP {(int)response.StatusCode}: {body}");
        Assert.NotNull(response.Headers.RetryAfter);
        return new Answer(key, id, (int)response.StatusCode, outcome.GetString()!,
            details.TryGetProperty("request_id", out var reported) ? reported.GetGuid() : null, false);
    }

    private static async Task<Answer> RetryUntilAcceptedAsync(HttpClient client, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await SendAsync(client, key);
            if (answer.Status == 202 || attempt == 15)
            {
                Assert.Equal(202, answer.Status);
                return answer;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<List<TransformationRequested>> ReadEventsAsync(TestKafka kafka, string prefix, EventSerdes serdes, int expected) =>
        (await TopicReader.ReadAsync<string, TransformationRequested>(kafka.BootstrapServers, prefix + Topics.Requested, expected,
            serdes.Deserializer<TransformationRequested>(), TimeSpan.FromSeconds(60))).Select(r => r.Message.Value).ToList();

    private static async Task<List<S3Object>> ObjectsAsync(ObjectStore store, Guid requestId) =>
        (await store.Client.ListObjectsV2Async(new ListObjectsV2Request
        {
            BucketName = store.Options.InputsBucket,
            Prefix = $"{TestTenants.Acme.TenantId}/{requestId}/",
        })).S3Objects ?? [];

    /// <param name="Outcome">"accepted", or the 503's details.outcome: "unknown" or "not_accepted".</param>
    private sealed record Answer(string Key, Guid Id, int Status, string Outcome, Guid? ReportedId, bool Replayed);
}
