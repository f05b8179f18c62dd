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
[Trait("Category", "Stack")]
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

    /// <summary>US6: what each skill costs, per tenant, over a time range; only the requesters asked for.</summary>
    [Fact]
    public async Task By_requester_the_credits_are_summed_per_skill_and_tenant_within_the_time_range()
    {
        using var ops = await OpsHarness.WithTopologyAsync("ops-credits-skills", partitions: 2);
        var stack = await SharedStack.GetAsync();
        using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        var serializer = serdes.Serializer<CreditsRecorded>();
        using var producer = stack.Kafka.ClientFactory(ops.Prefix).CreateProducer<string, byte[]>("test-credits");
        var topic = ops.Prefix + Topics.CreditsRecorded;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        const string Intro = "skill:generate_intro_video_loop";
        const string Win = "skill:generate_outcome_video_win";

        async Task RecordAsync(string tenant, string requester, decimal credits, TimeSpan ago)
        {
            var request = Guid.NewGuid();
            var entry = new CreditsRecorded(request, tenant, "corr", requester, now - ago, TransformationTask.TextToVideo, Provider.Runway, "veo3.1_fast",
                credits, "runway_credits", CreditSource.RateTable);
            await producer.ProduceAsync(topic, new Message<string, byte[]>
            {
                Key = tenant,
                Value = await serializer.SerializeAsync(entry, topic),
                Headers = new Headers { { StreamHeaders.Identity, Encoding.UTF8.GetBytes($"{request:N}#0") } },
            });
        }

        await RecordAsync("tenant-a", Intro, 40m, TimeSpan.FromHours(1));
        await RecordAsync("tenant-a", Intro, 45m, TimeSpan.FromHours(2));
        await RecordAsync("tenant-a", Win, 60m, TimeSpan.FromHours(3));
        await RecordAsync("tenant-b", Intro, 40m, TimeSpan.FromHours(1));
        await RecordAsync("tenant-a", Intro, 1000m, TimeSpan.FromDays(3));         // before the range
        await RecordAsync("tenant-a", "upload:dashboard", 0.025m, TimeSpan.FromHours(1)); // not a skill

        var bySkill = await ops.RunAsync("credits", "balance", "--by-requester", "--requester", "skill:*", "--since", "2d", "--json");
        Assert.Equal(0, bySkill.ExitCode);
        var rows = bySkill.Json.GetProperty("balances").EnumerateArray()
            .Select(b => (b.GetProperty("requester").GetString(), b.GetProperty("tenant").GetString(), b.GetProperty("credits").GetDecimal(),
                b.GetProperty("requests").GetInt32()))
            .ToList();
        Assert.Equal([(Intro, "tenant-a", 85m, 2), (Intro, "tenant-b", 40m, 1), (Win, "tenant-a", 60m, 1)], rows);

        var table = await ops.RunAsync("credits", "balance", "--by-requester", "--tenant", "tenant-b", "--since", "2d");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("Requester", table.Out, StringComparison.Ordinal);
        Assert.Contains(Intro, table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Win, table.Out, StringComparison.Ordinal);
    }
}
