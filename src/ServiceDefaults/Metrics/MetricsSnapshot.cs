using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CinematicSwitch.ServiceDefaults.Metrics;

/// <summary>
/// The current value of every instrument of the project's meters (names starting "CinematicSwitch"), for
/// the /metrics endpoint and the periodic metrics log: counters as totals, gauges as last values,
/// histograms as count, sum and recent percentiles.
/// </summary>
public sealed class MetricsSnapshot : IDisposable
{
    private const int Reservoir = 2048;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), Series> _series = new();

    public MetricsSnapshot()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("CinematicSwitch", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>Reads every instrument now (observable gauges are polled here).</summary>
    public IReadOnlyList<MetricValue> Read()
    {
        _listener.RecordObservableInstruments();
        return _series
            .OrderBy(kv => kv.Key.Name, StringComparer.Ordinal).ThenBy(kv => kv.Key.Tags, StringComparer.Ordinal)
            .Select(kv => kv.Value.ToValue(kv.Key.Name, kv.Key.Tags))
            .ToList();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = (instrument.Name, string.Join(",", tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}")));
        var series = _series.GetOrAdd(key, _ => new Series(instrument));
        series.Add(value);
    }

    private sealed class Series(Instrument instrument)
    {
        private readonly Lock _gate = new();
        private readonly double[] _recent = new double[Reservoir];
        private long _count;
        private double _sum;
        private double _last;

        public void Add(double value)
        {
            lock (_gate)
            {
                _recent[_count % Reservoir] = value;
                _count++;
                _sum += value;
                _last = value;
            }
        }

        public MetricValue ToValue(string name, string tags)
        {
            lock (_gate)
            {
                return instrument switch
                {
                    Histogram<double> or Histogram<long> => Histogram(name, tags),
                    Counter<long> or Counter<int> or Counter<double> => new MetricValue(name, tags, instrument.Unit, "counter", _sum, null, null, null, null),
                    _ => new MetricValue(name, tags, instrument.Unit, "gauge", _last, null, null, null, null),
                };
            }
        }

        private MetricValue Histogram(string name, string tags)
        {
            var sample = _recent.Take((int)Math.Min(_count, Reservoir)).Order().ToArray();
            double? Percentile(double p) => sample.Length == 0 ? null : sample[(int)Math.Min(sample.Length - 1, Math.Floor(p * sample.Length))];
            return new MetricValue(name, tags, instrument.Unit, "histogram", _sum, _count, Percentile(0.5), Percentile(0.99), sample.LastOrDefault());
        }
    }
}

/// <summary>One series: for histograms <see cref="Value"/> is the sum, with count and percentiles of recent values.</summary>
public sealed record MetricValue(string Name, string Tags, string? Unit, string Kind, double Value, long? Count, double? P50, double? P99, double? Max);
