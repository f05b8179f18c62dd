using System.Diagnostics.Metrics;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The stream runtime's instruments (meter "CinematicSwitch.Streaming"), tagged with the consumer group. Gauges read the
/// health snapshot the poll loop refreshes, so observing them never touches the consumer.
/// </summary>
internal sealed class StreamMetrics
{
    public const string MeterName = "CinematicSwitch.Streaming";
    private readonly KeyValuePair<string, object?> _group;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _handlerFailures;
    private readonly Counter<long> _rebalances;
    private readonly Counter<long> _stuck;
    private readonly Counter<long> _leaseWaits;
    private readonly Histogram<double> _recordDuration;
    private readonly Histogram<double> _endToEnd;

    public StreamMetrics(IMeterFactory meters, string groupId, Func<StreamHealthSnapshot> snapshot)
    {
        var meter = meters.Create(MeterName);
        _group = new("group", groupId);
        _consumed = meter.CreateCounter<long>("cinematic.stream.records_consumed", "{record}", "Records read from the input topic.");
        _completed = meter.CreateCounter<long>("cinematic.stream.records_completed", "{record}", "Records decided, their outputs published.");
        _duplicates = meter.CreateCounter<long>("cinematic.stream.duplicates_skipped", "{record}", "Records whose identity was already decided or in progress.");
        _deadLettered = meter.CreateCounter<long>("cinematic.stream.dead_lettered", "{record}", "Records sent to the dead-letter topic.");
        _handlerFailures = meter.CreateCounter<long>("cinematic.stream.handler_failures", "{attempt}", "Handler attempts that failed.");
        _rebalances = meter.CreateCounter<long>("cinematic.stream.rebalances", "{partition}", "Partitions assigned, revoked or lost.");
        _stuck = meter.CreateCounter<long>("cinematic.stream.partitions_stuck", "{event}", "Times a partition stopped moving: its intake failed, or a step it needs (a dependency, publishing a decision) kept failing.");
        _leaseWaits = meter.CreateCounter<long>("cinematic.stream.lease_renewals_failed", "{commit}", "Commits that did not confirm this member's ownership.");
        _recordDuration = meter.CreateHistogram<double>("cinematic.stream.record_duration", "ms", "From the record's first turn to its outputs published.");
        _endToEnd = meter.CreateHistogram<double>("cinematic.stream.end_to_end", "ms", "From the input record's timestamp to its outputs published.");
        meter.CreateObservableGauge("cinematic.stream.in_flight", () => new Measurement<int>(snapshot().InFlight, _group), "{record}",
            "Records admitted and not finished.");
        meter.CreateObservableGauge("cinematic.stream.queued", () => snapshot().Partitions.Select(p =>
            new Measurement<int>(p.Buffered, _group, new("partition", p.Partition))), "{record}", "Records received and not finished, per partition.");
        meter.CreateObservableGauge("cinematic.stream.lag", () => snapshot().Partitions.Select(p =>
            new Measurement<long>(p.Lag, _group, new("partition", p.Partition))), "{record}", "High watermark minus position, per partition.");
        meter.CreateObservableGauge("cinematic.stream.paused_partitions", () => new Measurement<int>(snapshot().Partitions.Count(p => p.Paused), _group),
            "{partition}", "Partitions paused for back-pressure.");
        meter.CreateObservableGauge("cinematic.stream.stuck_partitions", () => new Measurement<int>(snapshot().Partitions.Count(p => p.StuckReason is not null), _group),
            "{partition}", "Partitions that do not move, and why (see /readyz).");
    }

    public void Consumed() => _consumed.Add(1, _group);

    public void Completed(TimeSpan duration, TimeSpan endToEnd, bool deadLettered)
    {
        if (deadLettered)
        {
            DeadLettered("processing-failed");
        }
        else
        {
            _completed.Add(1, _group);
        }

        _recordDuration.Record(duration.TotalMilliseconds, _group);
        _endToEnd.Record(endToEnd.TotalMilliseconds, _group);
    }

    public void Duplicate() => _duplicates.Add(1, _group);

    public void DeadLettered(string reason) => _deadLettered.Add(1, _group, new("reason", reason));

    public void HandlerFailed() => _handlerFailures.Add(1, _group);

    public void Rebalanced(string kind, int partitions) => _rebalances.Add(partitions, _group, new("kind", kind));

    public void PartitionStuck(int partition) => _stuck.Add(1, _group, new("partition", partition));

    public void LeaseNotRenewed() => _leaseWaits.Add(1, _group);
}
