using System.Diagnostics.Metrics;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>A partition's step retried until it succeeds, the partition shown stuck meanwhile, on a fake clock.</summary>
public sealed class PartitionRetryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly StreamProcessorOptions _options = new()
    {
        GroupId = "retry-tests",
        RetryBackoff = TimeSpan.FromSeconds(1),
        MaxRetryBackoff = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public async Task A_decision_that_cannot_be_published_keeps_its_partition_stuck_with_the_reason_until_it_is_published()
    {
        using var owner = Owner();
        var retry = PartitionRetry.ForDecisions(_options, Metrics(), _time, NullLogger.Instance);
        var failures = 0;
        var published = retry.ExecuteAsync(owner, "publishing its decision", _ =>
        {
            if (++failures <= 3)
            {
                throw new KafkaException(ErrorCode.Local_MsgTimedOut);
            }

            return ValueTask.CompletedTask;
        }, CancellationToken.None);

        await WaitUntilAsync(() => failures == 1);
        Assert.False(published.IsCompleted);
        Assert.StartsWith("publishing its decision failed (KafkaException: ", owner.StuckReason, StringComparison.Ordinal);

        while (!published.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            await Task.Delay(5);
        }

        await published;
        Assert.Equal(4, failures);
        Assert.Null(owner.StuckReason);
    }

    [Fact]
    public async Task A_dependency_step_retries_only_what_is_retriable_and_a_poison_record_does_not_mark_the_partition_stuck()
    {
        using var owner = Owner();
        var retry = PartitionRetry.ForDependencies(_options, Metrics(), _time, NullLogger.Instance);
        var attempts = 0;

        await Assert.ThrowsAsync<PoisonRecordException>(() => retry.ExecuteAsync<int>(owner, "decoding", _ =>
        {
            attempts++;
            throw new PoisonRecordException("not a record");
        }, CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Null(owner.StuckReason);
    }

    [Fact]
    public async Task A_step_failing_when_the_partition_is_handed_over_stops_retrying()
    {
        using var owner = Owner();
        using var handover = new CancellationTokenSource();
        var retry = PartitionRetry.ForDecisions(_options, Metrics(), _time, NullLogger.Instance);
        var attempts = 0;
        var running = retry.ExecuteAsync(owner, "publishing its decision", _ =>
        {
            attempts++;
            throw new TimeoutException("brokers down");
        }, handover.Token);

        await WaitUntilAsync(() => attempts == 1);
        await handover.CancelAsync();
        _time.Advance(TimeSpan.FromSeconds(4));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(1, attempts);
        Assert.Null(owner.StuckReason);
    }

    public void Dispose() => _services.Dispose();

    private static PartitionOwner Owner() =>
        new(new TopicPartition("input", 3), new OwnershipLease(TimeProvider.System, TimeSpan.FromMinutes(1)), startOffset: 0);

    private StreamMetrics Metrics() =>
        new(_services.GetRequiredService<IMeterFactory>(), _options.GroupId, () => StreamHealthSnapshot.Starting);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
