using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Topology;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Streaming.Tests;

[Trait("Category", "Stack")]
public sealed class TopologyTests
{
    [Fact]
    public async Task Applying_the_topology_twice_keeps_existing_topics_and_reports_mismatches()
    {
        using var kafka = TestKafka.StartPrivate(brokers: 3);
        var options = new TopologyOptions { Partitions = 6, ReplicationFactor = 3 };
        var topics = CinematicTopology.Topics(options);
        // One topic exists beforehand with the wrong partition count: it must be kept and reported.
        kafka.Faults.CreateTopic(Contracts.Topics.Archived, 2, 3);

        var first = await kafka.Faults.ApplyAsync(topics, createMissing: true, CancellationToken.None);
        var second = await kafka.Faults.ApplyAsync(topics, createMissing: true, CancellationToken.None);

        Assert.Equal(topics.Count, first.Topics.Count);
        Assert.All(first.Topics.Where(t => t.Topic != Contracts.Topics.Archived), t => Assert.Equal(TopicStatus.Created, t.Status));
        Assert.All(second.Topics.Where(t => t.Topic != Contracts.Topics.Archived), t => Assert.Equal(TopicStatus.Matches, t.Status));
        var mismatch = Assert.Single(second.Problems);
        Assert.Equal(Contracts.Topics.Archived, mismatch.Topic);
        Assert.Equal(TopicStatus.Mismatch, mismatch.Status);
        Assert.Contains("partitions 2, expected 6", mismatch.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_contract_topic_is_in_the_topology_and_keyed_topics_are_co_partitioned()
    {
        var topics = CinematicTopology.Topics(new TopologyOptions { Partitions = 12 }, "p.");
        var names = topics.Select(t => t.Name).ToHashSet();
        foreach (var contract in new[]
                 {
                     Contracts.Topics.Requested, Contracts.Topics.Completed, Contracts.Topics.Failed, Contracts.Topics.Archived,
                     Contracts.Topics.CreditsRecorded, Contracts.Topics.RequestedDeadLetters,
                 })
        {
            Assert.Contains("p." + contract, names);
        }

        Assert.All(topics, t => Assert.Equal(12, t.Partitions));
        Assert.Equal("-1", topics.Single(t => t.Name == "p." + Contracts.Topics.CreditsRecorded).Config["retention.ms"]);
        Assert.True(topics.Single(t => t.Name == "p." + Contracts.Topics.ProcessorState).IsCompacted);
    }
}
