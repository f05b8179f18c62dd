using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.ServiceDefaults.Metrics;

/// <summary>The periodic metrics log. Bound from the "Metrics" configuration section.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Seconds between two writes of the metrics snapshot to the log; 0 turns the log off (/metrics still answers).</summary>
    [Range(0, 86_400)]
    public int LogIntervalSeconds { get; set; } = 60;
}
