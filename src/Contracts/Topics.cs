namespace CinematicSwitch.Contracts;

/// <summary>Topic names are part of the contract (DESIGN.md); a deployment may only prepend a prefix.</summary>
public static class Topics
{
    /// <summary>TransformationRequested, keyed by tenant id.</summary>
    public const string Requested = "cinematic.transformation.requested";

    /// <summary>TransformationStarted, keyed by tenant id: a provider job is being started (a status signal, not an outcome).</summary>
    public const string Started = "cinematic.transformation.started";

    /// <summary>TransformationCompleted, keyed by tenant id.</summary>
    public const string Completed = "cinematic.transformation.completed";

    /// <summary>TransformationFailed (carrying the original request), keyed by tenant id.</summary>
    public const string Failed = "cinematic.transformation.failed";

    /// <summary>TransformationArchived, keyed by tenant id.</summary>
    public const string Archived = "cinematic.transformation.archived";

    /// <summary>CreditsRecorded, keyed by tenant id: the credits ledger.</summary>
    public const string CreditsRecorded = "cinematic.credits.recorded";

    /// <summary>Original bytes of requests that could not be decoded or processed, with error headers.</summary>
    public const string RequestedDeadLetters = "cinematic.transformation.requested.dlq";

    /// <summary>Original bytes of completed events the archiver could not decode or process.</summary>
    public const string CompletedDeadLetters = "cinematic.transformation.completed.dlq";

    /// <summary>The processor's changelog: provider jobs started, so a restarted worker resumes them.</summary>
    public const string ProcessorState = "cinematic.processor.state";

    /// <summary>The archiver's changelog.</summary>
    public const string ArchiverState = "cinematic.archiver.state";

    /// <summary>
    /// ProviderJobEvent (JSON), keyed by provider job id: a provider said a job ended (a verified webhook). A doorbell for the
    /// processors, which then read the job from the provider; kept for hours only.
    /// </summary>
    public const string ProviderJobEvents = "cinematic.provider.job-events";

    /// <summary>The dead-letter topic of a source topic.</summary>
    public static string DeadLettersOf(string topic) => topic + ".dlq";
}
