using System.Diagnostics.Metrics;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The stream runtime's instruments (meter "CinematicSwitch.Streaming"), tagged with the consumer group.
/// Gauges read a snapshot the poll loop refreshes, so observing them never touches the consumer.
/// </summary>
internal sealed class StreamMetrics
{
    public const string MeterName = "CinematicSwitch.Streaming";
    private static readonly Meter Meter = new(MeterName);
    private readonly KeyValuePair<string, object?> _group;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _deadLettered;
    private readonly Counter<long> _handlerFailures;
    private readonly Counter<long> _rebalances;
    private readonly Histogram<double> _recordDuration;
    private readonly Histogram<double> _endToEnd;

    public StreamMetrics(string groupId, Func<StreamSnapshot> snapshot)
    {
        _group = new("group", groupId);
        _consumed = Meter.CreateCounter<long>("cinematic.stream.records_consumed", "{record}", "Records read from the input topic.");
        _completed = Meter.CreateCounter<long>("cinematic.stream.records_completed", "{record}", "Records finished, outputs published.");
        _duplicates = Meter.CreateCounter<long>("cinematic.stream.duplicates_skipped", "{record}", "Records whose identity was already processed.");
        _deadLettered = Meter.CreateCounter<long>("cinematic.stream.dead_lettered", "{record}", "Records sent to the dead-letter topic.");
        _handlerFailures = Meter.CreateCounter<long>("cinematic.stream.handler_failures", "{attempt}", "Handler attempts that threw.");
        _rebalances = Meter.CreateCounter<long>("cinematic.stream.rebalances", "{event}", "Partitions assigned, revoked or lost.");
        _recordDuration = Meter.CreateHistogram<double>("cinematic.stream.record_duration", "ms", "From dispatch to outputs published.");
        _endToEnd = Meter.CreateHistogram<double>("cinematic.stream.end_to_end", "ms", "From the input record's timestamp to outputs published.");
        Meter.CreateObservableGauge("cinematic.stream.in_flight", () => new Measurement<int>(snapshot().InFlight, _group), "{record}", "Records being worked on.");
        Meter.CreateObservableGauge("cinematic.stream.queued", () => snapshot().Partitions.Select(p =>
            new Measurement<int>(p.Buffered, _group, new("partition", p.Partition))), "{record}", "Records received and not finished, per partition.");
        Meter.CreateObservableGauge("cinematic.stream.lag", () => snapshot().Partitions.Select(p =>
            new Measurement<long>(p.Lag, _group, new("partition", p.Partition))), "{record}", "High watermark minus position, per partition.");
        Meter.CreateObservableGauge("cinematic.stream.paused_partitions", () => new Measurement<int>(snapshot().Partitions.Count(p => p.Paused), _group),
            "{partition}", "Partitions paused for back-pressure.");
    }

    public void Consumed() => _consumed.Add(1, _group);

    public void Completed(TimeSpan duration, TimeSpan endToEnd)
    {
        _completed.Add(1, _group);
        _recordDuration.Record(duration.TotalMilliseconds, _group);
        _endToEnd.Record(endToEnd.TotalMilliseconds, _group);
    }

    public void Duplicate() => _duplicates.Add(1, _group);

    public void DeadLettered(string reason) => _deadLettered.Add(1, _group, new("reason", reason));

    public void HandlerFailed() => _handlerFailures.Add(1, _group);

    public void Rebalanced(string kind, int partitions) => _rebalances.Add(partitions, _group, new("kind", kind));
}

internal sealed record StreamSnapshot(int InFlight, IReadOnlyList<PartitionSnapshot> Partitions)
{
    public static readonly StreamSnapshot Empty = new(0, []);
}

internal sealed record PartitionSnapshot(int Partition, int Buffered, long Lag, bool Paused);
