using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Metrics;

/// <summary>Writes the metrics snapshot as one structured log event per series, every Metrics:LogIntervalSeconds (0: never).</summary>
internal sealed partial class MetricsLogger(MetricsSnapshot snapshot, IOptions<MetricsOptions> options, ILogger<MetricsLogger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.LogIntervalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var metric in snapshot.Read())
            {
                // Only histograms have a count and percentiles.
                if (metric.Count is { } count)
                {
                    LogDistribution(metric.Name, metric.Tags, metric.Kind, metric.Value, count, metric.P50, metric.P99);
                }
                else
                {
                    LogValue(metric.Name, metric.Tags, metric.Kind, metric.Value);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metric {Metric} {Tags} {Kind} value={Value}")]
    private partial void LogValue(string metric, string tags, string kind, double value);

    [LoggerMessage(Level = LogLevel.Information, Message = "Metric {Metric} {Tags} {Kind} value={Value} count={Count} p50={P50} p99={P99}")]
    private partial void LogDistribution(string metric, string tags, string kind, double value, long count, double? p50, double? p99);
}
