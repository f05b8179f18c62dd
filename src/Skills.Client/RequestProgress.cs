using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Skills.Client;

/// <summary>
/// What is known of one request from the topics, joined by request id: its latest attempt (an operator's replay is a
/// new attempt of the same request, and only the latest attempt's outcome counts), and for that attempt the first
/// completed or failed event, archived event and credits entry (a later record of the same attempt is a copy, per
/// the consumers' rule).
/// </summary>
internal sealed class RequestProgress
{
    private TransformationCompleted? _completed;
    private TransformationFailed? _failed;
    private TransformationArchived? _archived;
    private CreditsRecorded? _credits;

    /// <summary>The latest attempt seen; -1 before anything was.</summary>
    public int Attempt { get; private set; } = -1;

    /// <summary>When the latest event was published, to forget requests older than the look-back.</summary>
    public DateTimeOffset LastSeen { get; private set; }

    /// <summary>Whether the request itself was seen on the requested topic (then it is never published again).</summary>
    public bool Requested { get; private set; }

    /// <summary>The success, once completed, archived and its credits recorded; null before.</summary>
    public SkillVideo? Video { get; private set; }

    /// <summary>The failure, once a failed event of the latest attempt was seen; null before.</summary>
    public TransformationFailed? Failure => _failed;

    public bool IsDecided => Video is not null || _failed is not null;

    public void Observe(RequestIdentity identity, ICinematicEvent value)
    {
        if (identity.ReplayCount < Attempt)
        {
            return;
        }

        if (identity.ReplayCount > Attempt)
        {
            Attempt = identity.ReplayCount;
            (_completed, _failed, _archived, _credits, Video) = (null, null, null, null, null);
        }

        LastSeen = value.OccurredAt > LastSeen ? value.OccurredAt : LastSeen;
        switch (value)
        {
            case TransformationRequested:
                Requested = true;
                break;
            case TransformationCompleted completed:
                Requested = true;
                _completed ??= completed;
                break;
            case TransformationFailed failed:
                Requested = true;
                _failed ??= failed;
                break;
            case TransformationArchived archived:
                _archived ??= archived;
                break;
            case CreditsRecorded credits:
                _credits ??= credits;
                break;
        }

        if (_failed is null && Video is null && _completed is not null && _archived is { Outputs.Count: > 0 } && _credits is not null)
        {
            Video = Join(_completed, _archived, _credits);
        }
    }

    private static SkillVideo Join(TransformationCompleted completed, TransformationArchived archived, CreditsRecorded credits)
    {
        // One video per request: the archiver joins a chained video's clips into one output. (An archive with no output
        // never completes a request: the archiver fails it instead.)
        var video = archived.Outputs.OrderBy(o => o.Index).First();
        var seconds = completed.Request.Video?.DurationSeconds ?? 0;
        return new SkillVideo(completed.RequestId, video.S3Uri, video.HttpsUrl, video.HttpsUrlExpiresAt, seconds * 1000L, credits.Credits,
            credits.CreditUnit, completed.Provider.ToString().ToLowerInvariant(), completed.Model, [.. completed.Warnings, .. archived.Warnings]);
    }
}
