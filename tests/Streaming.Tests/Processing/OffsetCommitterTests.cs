using System.Diagnostics.Metrics;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Streaming.Processing.Ownership;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>Lease renewal by offset commits, against a private embedded cluster whose coordinator answers as told.</summary>
[Trait("Category", "Stack")]
public sealed class OffsetCommitterTests
{
    [Theory]
    [InlineData(ErrorCode.RebalanceInProgress)]
    [InlineData(ErrorCode.IllegalGeneration)]
    public async Task Only_a_commit_accepted_in_a_generation_the_client_was_handed_confirms_a_lease_and_none_revives_one_that_ran_out(ErrorCode refusal)
    {
        using var kafka = TestKafka.StartPrivate(brokers: 1);
        await kafka.CreateTopicAsync("input", 1);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var consumer = kafka.ClientFactory().ConsumerBuilder<byte[]?, byte[]?>("group", "test").Build();
        consumer.Subscribe("input");
        while (consumer.Assignment.Count == 0)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var time = new FakeTimeProvider();
        var owner = new PartitionOwner(new TopicPartition("input", 0), new OwnershipLease(time, TimeSpan.FromSeconds(4)), 0);
        var committer = new OffsetCommitter(time, new StreamMetrics(services.GetRequiredService<IMeterFactory>(), "group", () => StreamHealthSnapshot.Starting),
            NullLogger.Instance);
        time.Advance(TimeSpan.FromSeconds(3));

        // The coordinator answers for a member id the client holds, but not with this member's generation accepted: a
        // member expelled and rejoined under a new id gets these while another member owns its partitions.
        kafka.Faults.InjectRequestErrors(KafkaApi.OffsetCommit, refusal);
        committer.Commit(consumer, [owner]);

        // Until the client is handed a generation's assignment, commits the coordinator accepts renew nothing: after such an
        // answer the client commits without a generation, and the embedded cluster takes those.
        var partition = new TopicPartition("input", 0);
        for (var attempt = 0; attempt < 100 && consumer.Committed([partition], TimeSpan.FromSeconds(5))[0].Offset.IsSpecial; attempt++)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
            committer.Commit(consumer, [owner]);
        }

        Assert.Equal(0, consumer.Committed([partition], TimeSpan.FromSeconds(5))[0].Offset.Value);
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(owner.Lease.IsValid);

        // The rebalance callback hands it an assignment: the first commit accepted after that cannot revive the lease that
        // ran out meanwhile (it lapses), and confirms the new lease of the partition taken over again.
        committer.GenerationJoined();
        var again = new PartitionOwner(partition, new OwnershipLease(time, TimeSpan.FromSeconds(4), confirmed: false), 0);
        for (var attempt = 0; attempt < 100 && !again.Lease.IsValid; attempt++)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
            committer.Commit(consumer, [owner, again]);
        }

        Assert.True(again.Lease.IsValid);
        Assert.True(owner.Lease.Lapsed);
        consumer.Close();
    }
}
