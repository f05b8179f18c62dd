using CinematicSwitch.Ops.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ops.Tests;

/// <summary>topology apply on the embedded stack: verification only, said plainly; mismatches and missing topics exit with 3.</summary>
[Trait("Category", "Stack")]
public sealed class TopologyTests
{
    [Fact]
    public async Task On_the_embedded_stack_the_topology_is_verified_and_the_reason_nothing_is_created_is_given()
    {
        using var ops = await OpsHarness.WithTopologyAsync("ops-topology", partitions: 2);

        var applied = await ops.RunAsync("topology", "apply");
        Assert.Equal(0, applied.ExitCode);
        Assert.Contains("The embedded broker creates topics itself", applied.Error, StringComparison.Ordinal);
        Assert.Contains("no CreateTopics", applied.Error, StringComparison.Ordinal);
        Assert.Contains("11 topic(s) as the topology defines them", applied.Out, StringComparison.Ordinal);

        var mismatch = await ops.RunAsync("topology", "apply", "--partitions", "4", "--json");
        Assert.Equal(3, mismatch.ExitCode);
        var topics = mismatch.Json.GetProperty("topics").EnumerateArray().ToList();
        Assert.Equal(11, topics.Count);
        Assert.All(topics, t => Assert.Equal("mismatch", t.GetProperty("status").GetString()));
        Assert.All(topics, t => Assert.Contains("partitions 2, expected 4", t.GetProperty("detail").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_topics_are_reported_with_exit_code_3()
    {
        var stack = await SharedStack.GetAsync();
        using var ops = await OpsHarness.ForAsync(stack, TestKafka.NewPrefix("ops-nothing"), partitions: 2);

        var applied = await ops.RunAsync("topology", "apply", "--json");

        Assert.Equal(3, applied.ExitCode);
        Assert.False(applied.Json.GetProperty("consistent").GetBoolean());
        Assert.All(applied.Json.GetProperty("topics").EnumerateArray(), t => Assert.Equal("missing", t.GetProperty("status").GetString()));
    }
}
