using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.ServiceDefaults.Topology;

/// <summary>Sizes of the project's topics. Bound from the "Topology" configuration section.</summary>
public sealed class TopologyOptions
{
    public const string SectionName = "Topology";

    /// <summary>
    /// Partitions of every keyed topic. One number on purpose: outcomes and changelogs are co-partitioned
    /// with requests (same key, same murmur2, same count), which the processor's recovery relies on.
    /// </summary>
    [Range(1, 1000)]
    public int Partitions { get; set; } = 12;

    [Range(1, 7)]
    public short ReplicationFactor { get; set; } = 3;

    /// <summary>How long failed events and dead letters stay replayable.</summary>
    [Range(1, 3650)]
    public int ReplayableRetentionDays { get; set; } = 30;

    /// <summary>How long requests, completions and archive events are kept.</summary>
    [Range(1, 3650)]
    public int EventRetentionDays { get; set; } = 7;

    /// <summary>How long providers' job events (webhook doorbells, cinematic.provider.job-events) are kept.</summary>
    [Range(1, 168)]
    public int JobEventRetentionHours { get; set; } = 6;
}
