using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Tests;

/// <summary>credits balance over a ledger written as the archiver writes it (Avro through the registry, cs-identity headers).</summary>
public sealed class CreditsBalanceTests
{
    [Fact]
    public async Task Credits_are_summed_by_tenant_and_unit_counting_each_request_attempt_once()
    {
        using var ops = await OpsHarness.WithTopologyAsync("ops-credits", partitions: 2);
        var stack = await SharedStack.GetAsync();
        var prefix = ops.Prefix;
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        var serializer = serdes.Serializer<CreditsRecorded>();
        using var producer = stack.Kafka.ClientFactory(prefix).CreateProducer<string, byte[]>("test-credits");
        var topic = prefix + Topics.CreditsRecorded;
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        async Task RecordAsync(Guid request, int replay, string tenant, decimal credits, string unit)
        {
            var entry = new CreditsRecorded(request, tenant, "corr", "skill:generate_intro_video_loop", DateTimeOffset.UtcNow,
                TransformationTask.ImageTransform, Provider.Replicate, "black-forest-labs/flux-dev", credits, unit, CreditSource.RateTable);
            await producer.ProduceAsync(topic, new Message<string, byte[]>
            {
                Key = tenant,
                Value = await serializer.SerializeAsync(entry, topic),
                Headers = new Headers { { StreamHeaders.Identity, Encoding.UTF8.GetBytes($"{request:N}#{replay}") } },
            });
        }

        await RecordAsync(first, 0, "tenant-a", 2.5m, "credits");
        await RecordAsync(first, 0, "tenant-a", 2.5m, "credits");   // a duplicate entry of the same attempt
        await RecordAsync(first, 1, "tenant-a", 2.5m, "credits");   // its replay: a new paid generation
        await RecordAsync(second, 0, "tenant-a", 40m, "seconds");
        await RecordAsync(Guid.NewGuid(), 0, "tenant-b", 7m, "credits");

        var balance = await ops.RunAsync("credits", "balance", "--json");
        Assert.Equal(0, balance.ExitCode);
        var rows = balance.Json.GetProperty("balances").EnumerateArray()
            .Select(b => (b.GetProperty("tenant").GetString(), b.GetProperty("unit").GetString(), b.GetProperty("credits").GetDecimal(),
                b.GetProperty("requests").GetInt32(), b.GetProperty("duplicates").GetInt32()))
            .ToList();
        Assert.Equal([("tenant-a", "credits", 5m, 2, 1), ("tenant-a", "seconds", 40m, 1, 0), ("tenant-b", "credits", 7m, 1, 0)], rows);

        var one = await ops.RunAsync("credits", "balance", "--tenant", "tenant-b");
        Assert.Equal(0, one.ExitCode);
        Assert.Contains("tenant-b", one.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant-a", one.Out, StringComparison.Ordinal);
    }
}
