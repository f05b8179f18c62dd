using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>Which provider endpoint a job calls.</summary>
public enum JobOperation
{
    /// <summary>Replicate prediction of an image model.</summary>
    Prediction,

    TextToImage,
    ImageToVideo,
    TextToVideo,
    VideoToVideo,
}

/// <summary>
/// One provider job of a plan. Jobs run one after the other (a tenant never has two jobs in flight).
/// </summary>
/// <param name="Step">Position in the plan; the journal's key together with the provider.</param>
/// <param name="Variation">First variation (1-based) the job's outputs belong to; 0 for a shared first frame.</param>
/// <param name="Segment">Position of the clip in its variation's chain.</param>
/// <param name="OutputCount">Outputs the job should produce (Replicate's num_outputs; 1 elsewhere).</param>
/// <param name="Ratio">The provider's own ratio value ("1280:768", "16:9", "832x480").</param>
/// <param name="Seed">Sent to the provider; null for models that take none (Runway's Veo models).</param>
/// <param name="LoopKeyframes">Use the input image as both first and last keyframe.</param>
/// <param name="InputFromStep">Take the input image from this earlier step's first output.</param>
public sealed record PlannedJob(
    int Step,
    string Model,
    JobOperation Operation,
    string Prompt,
    int Variation,
    int Segment,
    int OutputCount,
    string? Ratio,
    int? DurationSeconds,
    long? Seed,
    bool LoopKeyframes,
    int? InputFromStep);

/// <summary>The jobs a provider will run for a request.</summary>
public sealed record GenerationPlan(Provider Provider, string Model, IReadOnlyList<PlannedJob> Jobs, IReadOnlyList<string> Warnings);

/// <summary>A plan, or why this provider cannot serve the request.</summary>
public sealed record PlanDecision(GenerationPlan? Plan, string? Refusal)
{
    public static PlanDecision Refuse(string reason) => new(null, reason);
}

/// <summary>Where a job stands at the provider.</summary>
public enum JobPhase
{
    Running,
    Succeeded,
    Failed,
    Canceled,
}

/// <summary>A job's status as read from the provider.</summary>
/// <param name="Queued">Running, but held in the provider's queue (Runway's THROTTLED): that time is not charged to the job's timeout.</param>
public sealed record JobStatus(JobPhase Phase, IReadOnlyList<string> Outputs, ProviderFailure? Failure, bool Queued = false)
{
    public static JobStatus Running { get; } = new(JobPhase.Running, [], null);

    public static JobStatus Throttled { get; } = new(JobPhase.Running, [], null, Queued: true);

    public bool IsTerminal => Phase != JobPhase.Running;
}

/// <summary>A created (or found) job: its id, what the provider said it costs (and in which unit), and its status when already known.</summary>
/// <param name="Uploads">Inputs uploaded for the job that the provider keeps until deleted (Leonardo init images, Replicate files).</param>
public sealed record JobCreated(string JobId, decimal? Credits, JobStatus? Status, string? CreditUnit = null, IReadOnlyList<string>? Uploads = null);

/// <summary>Per-call facts an adapter needs: the request (for logs) and the job's deadline (bounds 429 waits).</summary>
public sealed record JobContext(Guid RequestId, DateTimeOffset Deadline)
{
    /// <summary>Awaited right before each attempt of a create call is sent (<see cref="IJobJournal.EnsureCurrentAsync"/>).</summary>
    public Func<CancellationToken, ValueTask>? BeforeCreate { get; init; }
}

/// <summary>
/// One provider behind the runner. Callers never see adapters: a provider is swapped by configuration
/// (routing order, enabled flags, models), not by changing callers.
/// </summary>
public interface IProviderAdapter
{
    Provider Name { get; }

    ProviderOptions Options { get; }

    /// <summary>Capability check and job plan, without any call.</summary>
    PlanDecision Plan(GenerationRequest request);

    /// <summary>Creates the job. Throws <see cref="ProviderException"/> (Ambiguous when it may exist all the same).</summary>
    Task<JobCreated> CreateAsync(PlannedJob job, MediaInput? media, JobContext context, CancellationToken cancellationToken);

    Task<JobStatus> GetAsync(PlannedJob job, string jobId, JobContext context, CancellationToken cancellationToken);

    /// <summary>Best effort: asks the provider to stop (or discard) the job.</summary>
    Task CancelAsync(string jobId, JobContext context, CancellationToken cancellationToken);

    /// <summary>Deletes the inputs uploaded for a job that has ended (<see cref="JobCreated.Uploads"/>).</summary>
    Task ReleaseAsync(IReadOnlyList<string> uploads, JobContext context, CancellationToken cancellationToken);

    /// <summary>Whether the provider's API can list jobs, so a job whose create outcome is unknown can be found.</summary>
    bool CanFindJobs { get; }

    /// <summary>The job created for <paramref name="job"/> at or after <paramref name="notBefore"/>, if any.</summary>
    Task<JobCreated?> FindAsync(PlannedJob job, DateTimeOffset notBefore, JobContext context, CancellationToken cancellationToken);

    /// <summary>Rate-table credits of a finished job that produced <paramref name="outputs"/> outputs.</summary>
    decimal EstimateCredits(PlannedJob job, int outputs);
}

/// <summary>A provider call failed. <see cref="Ambiguous"/>: the job may have been created all the same.</summary>
public sealed class ProviderException(ProviderFailure failure, bool ambiguous = false, Exception? inner = null)
    : Exception(failure.Message, inner)
{
    public ProviderFailure Failure { get; } = failure;

    public bool Ambiguous { get; } = ambiguous;
}
