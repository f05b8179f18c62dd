using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Skills.Client;

/// <summary>
/// A video a skill asks for. Without <see cref="ReferenceImage"/> it is text-to-video, with one image-to-video (the
/// image animated in the campaign's style).
/// </summary>
/// <param name="Skill">The skill asking, e.g. <c>generate_intro_video_loop</c>; events carry it as requester <c>skill:{Skill}</c>, and costs are grouped by it.</param>
/// <param name="Prompt">What the video shows (10 to 2000 characters; the providers' own limits apply too).</param>
/// <param name="IdempotencyKey">
/// Names the request: the same key from the same tenant is the same request (its id is derived from them as Ingest
/// derives it from an Idempotency-Key header), so a retry, also after a restart, waits for the first one's outcome
/// instead of paying for a second video. 1 to 255 visible ASCII characters.
/// </param>
/// <param name="DurationSeconds">The length asked; the archived video is fitted to it.</param>
/// <param name="AspectRatio">16:9, 9:16 or 1:1 (REQ4); what the provider offers decides the rest.</param>
/// <param name="Loop">A seamless loop: the video ends on the frame it starts with.</param>
/// <param name="CameraMotion">Camera movement in words (US7), e.g. "slow dolly in".</param>
/// <param name="ReferenceImage">An image already in the inputs bucket (its S3 URI, type, size and SHA-256).</param>
/// <param name="CorrelationId">Echoed on every event of the request; the request id when not given.</param>
public sealed record VideoRequest(
    string Skill,
    string Prompt,
    string IdempotencyKey,
    int DurationSeconds = 4,
    string AspectRatio = "16:9",
    bool Loop = false,
    string? CameraMotion = null,
    MediaReference? ReferenceImage = null,
    string? CorrelationId = null)
{
    /// <summary>The requester every event of the request carries.</summary>
    public string Requester => "skill:" + Skill;

    public TransformationTask Task => ReferenceImage is null ? TransformationTask.TextToVideo : TransformationTask.ImageToVideo;
}
