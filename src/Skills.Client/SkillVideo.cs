namespace CinematicSwitch.Skills.Client;

/// <summary>
/// A finished video as the provider spec's response handling describes it (<c>{ video_url, duration_ms, credits_used }</c>),
/// with who made it.
/// </summary>
/// <param name="VideoUrl">The archived copy's permanent address (<c>s3://bucket/key</c>); the provider's own URL expires.</param>
/// <param name="DownloadUrl">A presigned HTTPS link to the archived copy, when the archiver is configured to make them.</param>
/// <param name="DurationMs">The length the archived video was fitted to: the one asked.</param>
/// <param name="CreditsUsed">What the generation cost, from the credits ledger (one entry per request attempt).</param>
/// <param name="Provider">runway, leonardo, ...: whichever the deployment's routing chose.</param>
/// <param name="Warnings">The pipeline's warnings, e.g. a fallback to another provider.</param>
public sealed record SkillVideo(
    Guid RequestId,
    string VideoUrl,
    string? DownloadUrl,
    DateTimeOffset? DownloadUrlExpiresAt,
    long DurationMs,
    decimal CreditsUsed,
    string CreditUnit,
    string Provider,
    string Model,
    IReadOnlyList<string> Warnings);
