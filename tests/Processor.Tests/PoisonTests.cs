using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// Poison of every kind on the requested topic goes to the dead-letter topic with its reason, and the partition moves
/// on: the requests of the same tenant behind it complete. A failure that is not the record's (the registry out of
/// reach) stops the partition visibly instead: /readyz says which partition and why.
/// </summary>
[Trait("Category", "Stack")]
public sealed class PoisonTests
{
    [Fact]
    public async Task Every_kind_of_poison_is_dead_lettered_with_its_reason_and_the_requests_behind_it_complete()
    {
        await using var bed = await PipelineTestbed.StartAsync("poison", partitions: 1, latencyMs: 50);
        var media = await bed.UploadImageAsync("tenant-a");
        var requested = bed.Topic(Topics.Requested);
        var valid = await bed.Serdes.Serializer<TransformationRequested>().SerializeAsync(
            PipelineTestbed.Request("tenant-a", media, "a medieval knight in a castle, the template"), requested);
        var started = await bed.Serdes.Serializer<TransformationStarted>().SerializeAsync(new TransformationStarted(Guid.NewGuid(), "tenant-a", "c",
            "test", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, Provider.Replicate, "m", 0), bed.Topic(Topics.Started));
        var oversize = PipelineTestbed.Request("tenant-a", media, "a medieval knight in a castle, oversize") with { Prompt = new string('x', 20_000) };
        var poison = new (string Reason, byte[]? Value, string Key)[]
        {
            ("undecodable: a tombstone", null, "tenant-a"),
            ("undecodable: an empty value", [], "tenant-a"),
            ("undecodable: a value of", await bed.Serdes.Serializer<TransformationRequested>().SerializeAsync(oversize, requested), "tenant-a"),
            ("undecodable: AvroSerdeException", [0x01, .. valid.AsSpan(1)], "tenant-a"),
            ("undecodable: AvroSerdeException", [0x00, 0x7f, 0xff, 0xff, 0xff, .. valid.AsSpan(5)], "tenant-a"),
            ("undecodable: AvroSerdeException", started, "tenant-a"),
            ("undecodable: AvroSerdeException", valid[..(valid.Length / 2)], "tenant-a"),
            ("invalid: a request whose record key is not its tenant id", valid, "tenant-b"),
        };
        var expected = new List<TransformationRequested>();
        foreach (var (_, value, key) in poison)
        {
            await bed.PublishRawAsync(key, value);
            var after = PipelineTestbed.Request("tenant-a", media, $"a medieval knight in a castle, after poison {expected.Count}");
            await bed.PublishAsync(after);
            expected.Add(after);
        }

        var port = LoopbackPorts.Free();
        bed.StartProcessor("processor", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Processor:Stream:MaxRecordBytes"] = "10000",
        });
        var outcomes = await bed.OutcomesAsync(expected.Count, TimeSpan.FromMinutes(2));

        Assert.Equal(expected.Select(r => r.RequestId).Order(), outcomes.Completed.Select(c => c.RequestId).Order());
        var dead = await TopicReader.ReadAsync<string, byte[]>(bed.Stack.Kafka.BootstrapServers, bed.Topic(Topics.RequestedDeadLetters), poison.Length);
        Assert.Equal(poison.Length, dead.Count);
        for (var i = 0; i < poison.Length; i++)
        {
            var reason = Header(dead[i], StreamHeaders.DeadLetterReason);
            Assert.StartsWith(poison[i].Reason, reason, StringComparison.Ordinal);
            Assert.Equal(poison[i].Value ?? [], dead[i].Message.Value ?? []);
            Assert.Equal(poison[i].Key, dead[i].Message.Key);
            Assert.Equal((i * 2).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(dead[i], StreamHeaders.DeadLetterOriginalOffset));
            // What the record held never reaches the reason (the oversize request's prompt, the description).
            Assert.DoesNotContain("knight", reason, StringComparison.Ordinal);
        }

        Assert.Null(dead[0].Message.Value);
        Assert.Equal("Healthy", (string?)(await StreamCheckAsync(port, check => (string?)check["status"] == "Healthy"))["status"]);
    }

    [Fact]
    public async Task A_partition_that_cannot_decode_because_the_registry_is_out_of_reach_shows_as_stuck_on_readyz()
    {
        await using var bed = await PipelineTestbed.StartAsync("stuck", partitions: 2, latencyMs: 50);
        var media = await bed.UploadImageAsync("tenant-a");
        await bed.PublishAsync(PipelineTestbed.Request("tenant-a", media, "a medieval knight in a castle"));

        var port = LoopbackPorts.Free();
        bed.StartProcessor("processor", new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            // Nothing listens there: decoding fails for a reason that is not the record's.
            ["SchemaRegistry:Url"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
        });

        var stream = await StreamCheckAsync(port, check => ((string?)check["detail"])?.Contains("not moving", StringComparison.Ordinal) == true);

        Assert.Equal("Unhealthy", (string?)stream!["status"]);
        Assert.Contains("decoding failed (HttpRequestException", (string?)stream["detail"], StringComparison.Ordinal);
        Assert.Empty((await bed.OutcomesAsync(0, TimeSpan.FromSeconds(1))).Completed);
    }

    /// <summary>The processor's "stream" readiness check, asked until <paramref name="until"/> holds (or two minutes pass).</summary>
    private static async Task<JsonObject> StreamCheckAsync(int port, Func<JsonObject, bool> until)
    {
        using var http = new HttpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        JsonObject? check = null;
        while (!timeout.IsCancellationRequested && (check is null || !until(check)))
        {
            await Task.Delay(500, CancellationToken.None);
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"), timeout.Token);
                check = (await response.Content.ReadFromJsonAsync<JsonObject>(timeout.Token))?["checks"]?["stream"]?.AsObject();
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
        }

        return check ?? throw new TimeoutException("The processor's readiness check never answered.");
    }

    private static string? Header(Confluent.Kafka.ConsumeResult<string, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;
}
