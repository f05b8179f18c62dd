using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.ServiceDefaults.Storage;

/// <summary>Where media lives. Bound from the "S3" configuration section.</summary>
public sealed class S3Options
{
    public const string SectionName = "S3";

    /// <summary>An S3-compatible endpoint (MinIO, s3rver); unset for AWS itself.</summary>
    [Url]
    public string? ServiceUrl { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string Region { get; set; } = "us-east-1";

    /// <summary>Unset to use the AWS default credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>Path-style addressing (http://host/bucket/key), which MinIO and s3rver need.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>s3rver stores aws-chunked request bodies verbatim; real S3 and MinIO do not need this.</summary>
    public bool DisableChunkedUploads { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string InputsBucket { get; set; } = "cinematic-inputs";

    [Required(AllowEmptyStrings = false)]
    public string ArchiveBucket { get; set; } = "cinematic-archive";
}
