using System.Text.Json.Nodes;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace CinematicSwitch.Interop.Tests;

/// <summary>
/// Clients of other ecosystems, as their users install them, against the services on the embedded cluster: kcat lists
/// and reads every topic; kafkajs with @kafkajs/confluent-schema-registry, with no codec plug-in, produces a request with
/// its idempotent producer and decodes every event the services write. What broke before: kafkajs could not read the
/// services' LZ4 batches, and its idempotent producer could not find the controller the embedded cluster named.
/// </summary>
[Trait("Category", "Stack")]
public sealed class StockClientTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PipelineTestbed _bed = null!;

    public async Task InitializeAsync()
    {
        _bed = await PipelineTestbed.StartAsync("stock", partitions: 3, latencyMs: 200);
        _bed.StartProcessor("processor");
        _bed.StartArchiver("archiver");
    }

    public async Task DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task Kafkajs_produces_a_request_idempotently_that_the_pipeline_completes_and_decodes_every_event_the_services_write()
    {
        // A request the processor fails (its media object is not there), so that failed events are among those read.
        var media = await _bed.UploadImageAsync("tenant-node");
        var gone = await _bed.UploadImageAsync("tenant-broken");
        var broken = PipelineTestbed.Request("tenant-broken", gone with { Uri = gone.Uri + ".gone" }, "a medieval knight in a castle courtyard");
        await _bed.PublishAsync(broken);
        var requestId = Guid.CreateVersion7();
        var request = new JsonObject
        {
            ["request_id"] = requestId.ToString(),
            ["tenant_id"] = "tenant-node",
            ["correlation_id"] = "kafkajs-1",
            ["requester"] = "skill:generate_intro_video_loop",
            ["occurred_at"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["task"] = "IMAGE_TRANSFORM",
            ["media"] = new JsonObject
            {
                ["uri"] = media.Uri,
                ["content_type"] = media.ContentType,
                ["kind"] = "IMAGE",
                ["size_bytes"] = media.SizeBytes,
                ["sha256"] = media.Sha256,
            },
            ["scene_description"] = "a 1920s flapper in a smoky speakeasy",
            ["style_preset"] = "vintage",
            ["prompt"] = null,
            ["output_count"] = 2,
            ["aspect_ratio"] = "original",
            ["video"] = null,
            ["provider"] = null,
            ["replay"] = null,
        };

        var result = await ProcessRunner.RunAsync("node", [Path.Combine(RepositoryLayout.Root, "tests", "Interop.Tests", "StockClients", "kafkajs-client.cjs")],
            new Dictionary<string, string>
            {
                ["BOOTSTRAP_SERVERS"] = _bed.Stack.Kafka.BootstrapServers,
                ["SCHEMA_REGISTRY_URL"] = _bed.Stack.SchemaRegistry.Url,
                ["TOPIC_PREFIX"] = _bed.Prefix,
                ["REQUEST"] = request.ToJsonString(),
                ["SCHEMA_FILE"] = Path.Combine(RepositoryLayout.Root, "schemas", "transformation-requested.avsc"),
                ["WAIT_FOR"] = new JsonArray(
                    new JsonArray("completed", requestId.ToString()), new JsonArray("archived", requestId.ToString()),
                    new JsonArray("credits", requestId.ToString()), new JsonArray("failed", broken.RequestId.ToString())).ToJsonString(),
                ["TIMEOUT_MS"] = "120000",
                ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1",
            }, workingDirectory: RepositoryLayout.Root);
        output.WriteLine(result.Error);
        Assert.True(result.ExitCode == 0, $"kafkajs client failed: {result.Error}");

        var records = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        foreach (var line in records.Select(r => $"{r["topic"]} {r["value"]!["request_id"]}").Distinct())
        {
            output.WriteLine(line);
        }

        JsonNode Of(string topic, Guid id) => Assert.Single(records, r => (string?)r["topic"] == topic && (string?)r["value"]!["request_id"] == id.ToString())["value"]!;

        // The request as kafkajs wrote it, and what the services made of it, all decoded by the stock client.
        Assert.Equal("a 1920s flapper in a smoky speakeasy", (string?)Of("requested", requestId)["scene_description"]);
        Assert.Contains(records, r => (string?)r["topic"] == "started" && (string?)r["value"]!["request_id"] == requestId.ToString());
        var completed = Of("completed", requestId);
        Assert.Equal("REPLICATE", (string?)completed["provider"]);
        Assert.Equal(2, completed["outputs"]!.AsArray().Count);
        Assert.Equal("tenant-node", (string?)completed["tenant_id"]);
        var archived = Of("archived", requestId);
        Assert.Equal(2, archived["outputs"]!.AsArray().Count);
        Assert.All(archived["outputs"]!.AsArray(), o => Assert.StartsWith("s3://", (string?)o!["s3_uri"], StringComparison.Ordinal));
        Assert.Equal("skill:generate_intro_video_loop", (string?)Of("credits", requestId)["requester"]);
        Assert.Equal("INVALID_INPUT", (string?)Of("failed", broken.RequestId)["error"]!["code"]);
        Assert.DoesNotContain("compression", result.Error, StringComparison.OrdinalIgnoreCase);

        // The pipeline's own reader agrees: one outcome each.
        var outcomes = await _bed.OutcomesAsync(2, TimeSpan.FromSeconds(30));
        Assert.Equal([1, 1], outcomes.PerRequest().Where(kv => kv.Key == requestId || kv.Key == broken.RequestId).Select(kv => kv.Value));
    }

    [Fact]
    public async Task Kcat_lists_every_topic_of_the_topology_and_reads_each_to_its_end()
    {
        var media = await _bed.UploadImageAsync("tenant-kcat");
        var request = PipelineTestbed.Request("tenant-kcat", media, "a futuristic pilot in a neon hangar");
        await _bed.PublishAsync(request);
        Assert.Single((await _bed.OutcomesAsync(1, TimeSpan.FromMinutes(2))).Completed);
        var brokers = _bed.Stack.Kafka.BootstrapServers;

        var list = await ProcessRunner.RunAsync("kcat", ["-L", "-b", brokers, "-J"], new Dictionary<string, string>());
        Assert.True(list.ExitCode == 0, list.Error);
        var listed = JsonNode.Parse(list.Output)!["topics"]!.AsArray().Select(t => (string)t!["topic"]!).ToHashSet();
        var ours = CinematicTopology.Topics(new TopologyOptions(), _bed.Prefix).Select(t => t.Name).ToList();
        Assert.All(ours, t => Assert.Contains(t, listed));

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = brokers }).Build();
        using var watermarks = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = brokers, GroupId = "watermarks" }).Build();
        foreach (var topic in ours)
        {
            var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count;
            var expected = Enumerable.Range(0, partitions)
                .Sum(p => watermarks.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)) is var w ? w.High - w.Low : 0);
            var read = await ProcessRunner.RunAsync("kcat", ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%p %o %S\\n"],
                new Dictionary<string, string>());
            Assert.True(read.ExitCode == 0, $"{topic}: {read.Error}");
            Assert.Equal(expected, read.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            output.WriteLine($"{topic}: {expected} record(s)");
        }
    }
}
