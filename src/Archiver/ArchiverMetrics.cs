using System.Diagnostics.Metrics;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Archiver;

/// <summary>
/// The archiver's instruments (meter "CinematicSwitch.Archiver"). They count what this process did: after a crash
/// a resumed record may count again, while the credits topic, not this counter, is the ledger.
/// </summary>
internal sealed class ArchiverMetrics
{
    public const string MeterName = "CinematicSwitch.Archiver";
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _outputs;
    private readonly Histogram<double> _downloadDuration;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _outcomes;
    private readonly Counter<double> _credits;

    public ArchiverMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _bytes = meter.CreateCounter<long>("cinematic.archiver.bytes_archived", "By", "Bytes of outputs uploaded to the archive bucket.");
        _outputs = meter.CreateCounter<long>("cinematic.archiver.outputs_archived", "{output}", "Outputs uploaded to the archive bucket.");
        _downloadDuration = meter.CreateHistogram<double>("cinematic.archiver.download_duration", "ms", "One download attempt, from request to last byte.");
        _failures = meter.CreateCounter<long>("cinematic.archiver.download_failures", "{attempt}", "Download attempts that failed, by reason.");
        _outcomes = meter.CreateCounter<long>("cinematic.archiver.requests", "{request}", "Requests finished: archived, partially archived, or failed.");
        _credits = meter.CreateCounter<double>("cinematic.archiver.credits_recorded", "{credit}", "Credits written to the ledger, by provider and unit.");
    }

    public void Downloaded(Provider provider, TimeSpan duration) =>
        _downloadDuration.Record(duration.TotalMilliseconds, new("provider", provider.ToString()), new("result", "ok"));

    public void DownloadFailed(Provider provider, FetchFailureReason reason, TimeSpan duration)
    {
        var code = FetchException.Code(reason);
        _downloadDuration.Record(duration.TotalMilliseconds, new("provider", provider.ToString()), new("result", code));
        _failures.Add(1, new("provider", provider.ToString()), new("reason", code));
    }

    public void Archived(Provider provider, MediaKind kind, long bytes)
    {
        _bytes.Add(bytes, new("provider", provider.ToString()), new("kind", kind.ToString()));
        _outputs.Add(1, new("provider", provider.ToString()), new("kind", kind.ToString()));
    }

    /// <summary>"archived", "partial" or "failed".</summary>
    public void Finished(string outcome) => _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void CreditsRecorded(Provider provider, string unit, decimal credits) =>
        _credits.Add((double)credits, new("provider", provider.ToString()), new("unit", unit));
}
