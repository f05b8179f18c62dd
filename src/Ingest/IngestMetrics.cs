using System.Diagnostics;
using System.Diagnostics.Metrics;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Ingest;

/// <summary>The service's instruments (meter "CinematicSwitch.Ingest"), read by /metrics and the periodic metrics log.</summary>
internal sealed class IngestMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _mediaBytes;
    private readonly Counter<long> _webhooks;
    private readonly Counter<long> _inputsDeleted;
    private readonly Counter<long> _inputBytesDeleted;

    // The factory owns (and disposes) the meter, as it does every other service's.
    public IngestMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("CinematicSwitch.Ingest");
        _requests = meter.CreateCounter<long>("ingest.requests", description: "POST requests by endpoint and HTTP status");
        _duration = meter.CreateHistogram<double>("ingest.request.duration", "ms", "Time to accept or refuse a POST");
        _mediaBytes = meter.CreateCounter<long>("ingest.media.bytes", "By", "Media bytes stored, by media type");
        _webhooks = meter.CreateCounter<long>("ingest.webhooks", description: "Providers' webhook deliveries by provider, verdict and HTTP status");
        _inputsDeleted = meter.CreateCounter<long>("ingest.inputs.deleted", description: "Inputs deleted by retention");
        _inputBytesDeleted = meter.CreateCounter<long>("ingest.inputs.deleted.bytes", "By", "Bytes of the inputs deleted by retention");
    }

    public void Request(string endpoint, int status, string? mediaType, long? mediaBytes, TimeSpan elapsed)
    {
        var tags = new TagList { { "endpoint", endpoint }, { "status", status } };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalMilliseconds, tags);
        if (mediaBytes is { } bytes && status < 300)
        {
            _mediaBytes.Add(bytes, new KeyValuePair<string, object?>("media_type", mediaType));
        }
    }

    public void Webhook(Provider provider, Providers.Webhooks.WebhookVerdict verdict, int status) =>
        _webhooks.Add(1, new TagList { { "provider", provider.ToString().ToLowerInvariant() }, { "verdict", verdict.ToString() }, { "status", status } });

    public void InputsDeleted(int count, long bytes)
    {
        _inputsDeleted.Add(count);
        _inputBytesDeleted.Add(bytes);
    }
}
