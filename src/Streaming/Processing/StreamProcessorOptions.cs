using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>How a key-parallel stream processor consumes, schedules, retries and commits.</summary>
public sealed class StreamProcessorOptions
{
    /// <summary>Consumer group id.</summary>
    [Required(AllowEmptyStrings = false)]
    public string GroupId { get; set; } = "";

    /// <summary>At most this many records are worked on at once, over all partitions and keys.</summary>
    [Range(1, 10000)]
    public int MaxInFlight { get; set; } = 64;

    /// <summary>At most this many records of one key (tenant) at once; 1 serializes each tenant.</summary>
    [Range(1, 1000)]
    public int MaxInFlightPerKey { get; set; } = 1;

    /// <summary>Caps per lane (e.g. per provider), on top of <see cref="MaxInFlight"/>. Lanes not listed have no own cap.</summary>
    public Dictionary<string, int> LaneLimits { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A partition is paused when this many of its records are received and unfinished, resumed at half.</summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedPerPartition { get; set; } = 1000;

    /// <summary>
    /// How often finished offsets are committed. Each commit also proves the membership that keeps the owned partitions'
    /// leases valid, so it must be well below the session timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:05")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a revoked partition's in-flight records may run before they are handed over unfinished.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RevokeDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long shutdown waits for in-flight records before handing them over unfinished.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:30:00")]
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>A record whose handler keeps failing for a reason that is not transient goes to the dead-letter topic after this many attempts.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>A record whose handler keeps failing transiently (a dependency down) is dead-lettered after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan TransientRetryDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first pause before a record is tried again; it doubles, with jitter, up to <see cref="MaxRetryBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a finished record's identity is remembered, so that the same identity arriving again (an upstream
    /// producer's duplicate) is recognised and skipped.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A record value larger than this is not decoded: it goes to the dead-letter topic.</summary>
    [Range(1, 100 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>The health check turns unhealthy when the consumer has not been polled for this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollStallThreshold { get; set; } = TimeSpan.FromSeconds(30);
}
