using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>What the poll loop last saw: assigned partitions, their buffers, lag, pause and stuck state, and when it last polled.</summary>
internal sealed record StreamHealthSnapshot(int InFlight, IReadOnlyList<PartitionHealth> Partitions, DateTimeOffset LastPoll, bool Running)
{
    public static readonly StreamHealthSnapshot Starting = new(0, [], DateTimeOffset.MinValue, Running: false);
}

internal sealed record PartitionHealth(int Partition, int Buffered, long Lag, bool Paused, bool Recovered, string? StuckReason);

/// <summary>
/// The stream's readiness: unhealthy while a partition does not move (its intake stopped, or a dependency it needs keeps
/// failing) or the consumer has not been polled for <see cref="StreamProcessorOptions.PollStallThreshold"/>; the data
/// says which partitions, why, and what is paused.
/// </summary>
public sealed class StreamHealth(StreamProcessorOptions options, TimeProvider time) : IHealthCheck
{
    private readonly string _group = options.GroupId;

    private volatile StreamHealthSnapshot _snapshot = StreamHealthSnapshot.Starting;

    internal StreamHealthSnapshot Snapshot => _snapshot;

    internal void Update(StreamHealthSnapshot snapshot) => _snapshot = snapshot;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = _snapshot;
        var data = new Dictionary<string, object>
        {
            ["group"] = _group,
            ["assigned"] = snapshot.Partitions.Select(p => p.Partition).Order().ToArray(),
            ["paused"] = snapshot.Partitions.Where(p => p.Paused).Select(p => p.Partition).Order().ToArray(),
            ["inFlight"] = snapshot.InFlight,
        };
        if (!snapshot.Running)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{_group}: not consuming yet", data: data));
        }

        var sincePoll = time.GetUtcNow() - snapshot.LastPoll;
        data["lastPollMs"] = (long)sincePoll.TotalMilliseconds;
        var stuck = snapshot.Partitions.Where(p => p.StuckReason is not null).ToList();
        if (stuck.Count > 0)
        {
            data["stuck"] = stuck.ToDictionary(p => p.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture), p => p.StuckReason!);
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"{_group}: partition(s) {string.Join(", ", stuck.Select(p => p.Partition))} not moving: {stuck[0].StuckReason}", data: data));
        }

        return Task.FromResult(sincePoll > options.PollStallThreshold
            ? HealthCheckResult.Unhealthy($"{_group}: the consumer was last polled {sincePoll.TotalSeconds:F0} s ago", data: data)
            : HealthCheckResult.Healthy($"{_group}: {snapshot.Partitions.Count} partition(s), {snapshot.InFlight} in flight", data));
    }
}
