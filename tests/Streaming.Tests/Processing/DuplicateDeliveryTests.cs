using CinematicSwitch.Testing;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>Duplicates of a record that arrive while the first copy is still queued or running.</summary>
[Trait("Category", "Stack")]
public sealed class DuplicateDeliveryTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_duplicate_arriving_while_its_first_copy_is_unfinished_is_skipped(int maxInFlightPerKey)
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "duplicate-in-flight", partitions: 1);
        var slow = new TestCommand("paid-once", 300, false);
        await harness.ProduceAsync([("t1", slow.Encode()), ("t1", slow.Encode()), ("t1", new TestCommand("after", 0, false).Encode())]);

        var options = harness.Options();
        options.MaxInFlightPerKey = maxInFlightPerKey;
        var handler = harness.Start(options);
        await harness.WaitForCommittedAsync(3, TimeSpan.FromSeconds(60));
        var outputs = await harness.OutputsAsync(2);

        Assert.Equal(["done:after", "done:paid-once"], outputs.Order());
        Assert.Equal(["after", "paid-once"], handler.Started.Select(s => s.Id).Order());
    }
}
