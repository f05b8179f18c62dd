using System.ComponentModel.DataAnnotations;
using CinematicSwitch.Fetching;
using CinematicSwitch.ServiceDefaults.Options;

namespace CinematicSwitch.Archiver;

/// <summary>What the archiver does with outputs. Bound from "Archiver" (Archiver__* variables).</summary>
public sealed class ArchiverOptions
{
    public const string SectionName = "Archiver";

    /// <summary>The stream processor's options (group id, parallelism, ...) live under this section.</summary>
    public const string StreamSectionName = "Archiver:Stream";

    public DownloadOptions Download { get; set; } = new();

    /// <summary>
    /// Validity of the presigned HTTPS links put in TransformationArchived beside the S3 URIs. Unset: no links.
    /// SigV4 links live at most 7 days.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan? PresignedUrlExpiry { get; set; }
}

/// <summary>
/// How provider outputs are fetched: from where, how big, how long, how often. The guard's settings (LoopbackOrigins,
/// MaxRedirects, ConnectTimeout) are inherited: <see cref="FetchGuardOptions"/>.
/// </summary>
public sealed class DownloadOptions : FetchGuardOptions, IValidatableOptions
{
    /// <summary>The providers' delivery hosts, used when <see cref="AllowedHosts"/> is not configured.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowedHosts =
    [
        // Replicate's file delivery (outputs of predictions, deleted after an hour).
        "replicate.delivery",
        "*.replicate.delivery",
        // Runway's task artifacts (CloudFront, signed links that expire within 24-48 hours).
        "dnznrvs05pmza.cloudfront.net",
        // Leonardo's generations.
        "cdn.leonardo.ai",
    ];

    /// <summary>
    /// Hosts outputs may be fetched from, over https only: exact names, or "*.example.com" for any subdomain.
    /// Configuring the list replaces the defaults (<see cref="DefaultAllowedHosts"/>).
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    [Range(1L, 1L << 40)]
    public long MaxImageBytes { get; set; } = 50L * 1024 * 1024;

    [Range(1L, 1L << 40)]
    public long MaxVideoBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Time for one download attempt, from the request to the last byte.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long an output that cannot be fetched is retried: a download failing before this deadline is tried again after
    /// its pause, one failing after it gives the output up.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RetryDeadline { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first pause between attempts; it doubles (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where downloads are spooled before upload (one file per download in progress). Unset: the system's temp folder.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>The allow-list in force: the configured hosts, or the defaults.</summary>
    public IReadOnlyList<string> EffectiveAllowedHosts => AllowedHosts.Count > 0 ? AllowedHosts : DefaultAllowedHosts;

    public IEnumerable<string> Validate()
    {
        foreach (var host in AllowedHosts)
        {
            var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (Uri.CheckHostName(name) is UriHostNameType.Unknown or UriHostNameType.Basic || name.Contains('*', StringComparison.Ordinal))
            {
                yield return $"{nameof(AllowedHosts)}: \"{host}\" is not a host name (no scheme, port or path; \"*.\" only as a prefix).";
            }
        }

        if (InitialBackoff > MaxBackoff)
        {
            yield return $"{nameof(InitialBackoff)}: must not exceed {nameof(MaxBackoff)}.";
        }
    }
}
