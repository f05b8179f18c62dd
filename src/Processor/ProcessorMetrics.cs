using System.Diagnostics.Metrics;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Processor;

/// <summary>The processor's own instruments (meter "CinematicSwitch.Processor"); the stream runtime adds in-flight, queues and lag.</summary>
internal sealed class ProcessorMetrics
{
    private readonly Counter<long> _outcomes;
    private readonly Histogram<double> _providerLatency;

    // The factory owns (and disposes) the meter, as it does every other service's.
    public ProcessorMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("CinematicSwitch.Processor");
        _outcomes = meter.CreateCounter<long>("cinematic.processor.outcomes", "{request}", "Outcomes published, by code and provider.");
        _providerLatency = meter.CreateHistogram<double>("cinematic.processor.provider_latency", "ms",
            "Time spent with the provider per request, from the first call to the last poll.");
    }

    public void Completed(TransformationCompleted completed)
    {
        var provider = new KeyValuePair<string, object?>("provider", completed.Provider.ToString());
        _outcomes.Add(1, new("code", "COMPLETED"), provider);
        _providerLatency.Record(completed.ProviderTimeMs, provider);
    }

    public void Failed(TransformationFailed failed) =>
        _outcomes.Add(1, new("code", failed.Error.Code.ToString()), new("provider", failed.Error.Provider?.ToString() ?? "none"));
}
