using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Providers;

/// <summary>Where a provider job stands, as journaled.</summary>
public enum JobState
{
    /// <summary>Intent, written before the create call: the job may or may not exist at the provider.</summary>
    Starting,

    /// <summary>The provider accepted the job; its id is known.</summary>
    Started,

    /// <summary>The job succeeded; its outputs are in the checkpoint.</summary>
    Finished,

    /// <summary>The job ended without output (the provider failed it, or an error in the checkpoint).</summary>
    Failed,

    /// <summary>The job was cancelled by us (it ran past its timeout).</summary>
    Canceled,
}

/// <summary>
/// One journaled fact about one provider job of a request. A request's jobs are numbered per provider
/// (<see cref="Step"/>), so a fallback provider's steps never collide with the first provider's.
/// </summary>
/// <param name="RecordedAt">When the fact was recorded; a Started checkpoint's time anchors the job's timeout.</param>
/// <param name="Outputs">Output URLs of a Finished job.</param>
/// <param name="Credits">What the provider said the job cost, when it says so.</param>
/// <param name="Failure">Why a Failed or Canceled job ended.</param>
/// <param name="CreditUnit">The unit the provider gave with <paramref name="Credits"/>.</param>
/// <param name="Uploads">Inputs uploaded for a Started job, deleted when it ends (also by a worker that resumes it).</param>
public sealed record JobCheckpoint(
    int Step,
    Provider Provider,
    string Model,
    string? JobId,
    JobState State,
    DateTimeOffset RecordedAt,
    IReadOnlyList<string>? Outputs = null,
    decimal? Credits = null,
    ProviderFailure? Failure = null,
    string? CreditUnit = null,
    IReadOnlyList<string>? Uploads = null);

/// <summary>
/// The durable journal the caller provides (the processor: a Kafka changelog).
/// <see cref="RecordAsync"/> returns only once the checkpoint is durable: the runner calls the provider only after it.
/// </summary>
public interface IJobJournal
{
    ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Returns while the journal's writer may still act for the request (the processor: while it owns the record);
    /// throws <see cref="OperationCanceledException"/> once it may not. Awaited right before a create call goes on the
    /// wire, after every wait (a rate-limit token, a retry's back-off), so that a worker frozen or superseded meanwhile
    /// never starts a job its successor will start too.
    /// </summary>
    ValueTask EnsureCurrentAsync(CancellationToken cancellationToken);
}

/// <summary>Runs (or resumes) one request against the providers, to one outcome.</summary>
public interface IGenerationRunner
{
    /// <summary>
    /// Runs the request, or resumes it from the checkpoints a previous worker journaled: Started jobs are
    /// polled again, never re-created. Cancelling <paramref name="cancellationToken"/> abandons the run
    /// without cancelling provider jobs, so that another worker can resume them.
    /// </summary>
    Task<GenerationOutcome> RunAsync(GenerationRequest request, IReadOnlyList<JobCheckpoint> resumeFrom, IJobJournal journal,
        CancellationToken cancellationToken);

    /// <summary>Which provider and model would serve the request, or why none can (InvalidInput), without calling anyone.</summary>
    CapabilityCheck Check(GenerationRequest request);
}

/// <summary>The answer of <see cref="IGenerationRunner.Check"/>.</summary>
public sealed record CapabilityCheck(Provider? Provider, string? Model, ProviderFailure? Refusal)
{
    public bool Supported => Refusal is null;
}
