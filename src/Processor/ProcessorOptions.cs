using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.Processor;

/// <summary>How the processor hands media to providers. Bound from "Processor".</summary>
public sealed class ProcessorOptions
{
    public const string SectionName = "Processor";

    /// <summary>
    /// PresignedUrl: providers fetch the input from S3 through a time-limited link (S3 must be reachable from
    /// the provider). DataUri: S3 is private; the processor inlines images up to <see cref="MaxDataUriBytes"/> and the
    /// provider adapters hand everything over as bytes (a data URI under each provider's cap, else its upload API).
    /// </summary>
    public MediaDelivery MediaDelivery { get; set; } = MediaDelivery.PresignedUrl;

    /// <summary>Validity of presigned input links: long enough for the slowest provider job and its polling.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan PresignedUrlValidity { get; set; } = TimeSpan.FromHours(1);

    [Range(1, 50 * 1024 * 1024)]
    public int MaxDataUriBytes { get; set; } = 10 * 1024 * 1024;
}

public enum MediaDelivery
{
    PresignedUrl,
    DataUri,
}
