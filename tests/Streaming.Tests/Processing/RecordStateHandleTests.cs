using System.Text;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Execution;
using CinematicSwitch.Streaming.Processing.Ownership;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>A record's journal as its handler writes it, on the embedded cluster with a fake clock for the lease.</summary>
[Trait("Category", "Stack")]
public sealed class RecordStateHandleTests
{
    [Fact]
    public async Task A_member_frozen_while_its_journal_entry_was_written_does_not_return_to_make_the_paid_call()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "state-handle", partitions: 1);
        var time = new FakeTimeProvider();
        // A second of lingering holds the acknowledgement back well past the clock's jump below.
        using var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("test-state", configure: c => c.LingerMs = 1000);
        var owner = new PartitionOwner(new TopicPartition(harness.Topics.Input, 0), new OwnershipLease(time, TimeSpan.FromSeconds(4)), 0);
        var state = new RecordStateHandle(new ChangelogWriter(producer, harness.Topics.State), owner, new PartitionLedger(0, 0), "request-1", 0, time);

        // The lease holds when the write starts; then the process is frozen past it (its monotonic clock jumps) and the
        // partition goes to another member.
        var save = state.SaveAsync(Encoding.UTF8.GetBytes("intent"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(30));
        owner.Lease.End();

        await Assert.ThrowsAsync<OwnershipLostException>(() => save);
        var written = await TopicReader.ReadAsync<string, byte[]>(harness.Kafka.BootstrapServers, harness.Topics.State, 1);
        Assert.StartsWith("request-1@0/", Assert.Single(written).Message.Key, StringComparison.Ordinal);
    }
}
