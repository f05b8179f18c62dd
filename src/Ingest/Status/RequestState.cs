using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Ingest.Status;

/// <summary>Where a request is, as far as the events tell.</summary>
public enum RequestPhase
{
    /// <summary>Accepted; no outcome yet: queued, or generating once a provider job was announced (<see cref="RequestState.Generating"/>).</summary>
    Pending,

    /// <summary>The provider finished; the outputs are being archived.</summary>
    Processing,

    /// <summary>Archived: the outputs are in S3.</summary>
    Completed,

    Failed,
}

/// <summary>
/// One request as the projection knows it. Events of the six topics arrive in any order relative to each other, and a
/// failed request may be replayed: an operator's replay is the same request (same id, same occurred_at) with a higher
/// replay count, a new attempt. Every event counts for the attempt it answers (its request's replay count, or the
/// attempt in its cs-identity header), and the latest attempt known decides the phase: a replay turns a failed request
/// pending again, and its own outcome then shows.
/// </summary>
public sealed record RequestState(
    Guid RequestId,
    string TenantId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int Attempt,
    TransformationTask Task,
    MediaReference? Media,
    int OutputCount,
    StartedInfo? Started,
    CompletedInfo? Completed,
    ArchivedInfo? Archived,
    FailedInfo? Failed)
{
    public RequestPhase Phase =>
        Failed is { } failed && failed.Attempt >= Attempt ? RequestPhase.Failed
        : Archived is { } archived && archived.Attempt >= Attempt ? RequestPhase.Completed
        : Completed is { } completed && completed.Attempt >= Attempt ? RequestPhase.Processing
        : RequestPhase.Pending;

    /// <summary>The provider job the current attempt runs, while it is pending and one was announced; null while queued.</summary>
    public StartedInfo? Generating =>
        Phase == RequestPhase.Pending && Started is { } started && started.Attempt >= Attempt ? started : null;

    public bool IsTerminal => Phase is RequestPhase.Completed or RequestPhase.Failed;

    public static RequestState OnRequested(RequestState? state, TransformationRequested e) =>
        TakeIn(state, e, e.OccurredAt) with { UpdatedAt = Max(state?.UpdatedAt, e.OccurredAt) };

    /// <summary>The latest job of the latest attempt wins (a fallback provider's job follows the first provider's).</summary>
    public static RequestState OnStarted(RequestState? state, TransformationStarted e, int attempt)
    {
        var next = Known(state, e, attempt);
        return next with
        {
            Started = next.Started is { } known && (known.Attempt, known.OccurredAt).CompareTo((attempt, e.OccurredAt)) > 0
                ? known
                : new StartedInfo(attempt, e.OccurredAt, e.Provider, e.Model),
            UpdatedAt = Max(next.UpdatedAt, e.OccurredAt),
        };
    }

    public static RequestState OnCompleted(RequestState? state, TransformationCompleted e)
    {
        var next = TakeIn(state, e.Request, e.OccurredAt);
        var attempt = AttemptOf(e.Request);
        return next with
        {
            Completed = next.Completed is { } known && known.Attempt > attempt
                ? known
                : new CompletedInfo(attempt, e.Provider, e.Model, e.ProcessingTimeMs, e.RequestedCount, e.Warnings),
        };
    }

    public static RequestState OnFailed(RequestState? state, TransformationFailed e)
    {
        var next = TakeIn(state, e.Request, e.OccurredAt);
        var attempt = AttemptOf(e.Request);
        return next with
        {
            Failed = next.Failed is { } known && known.Attempt > attempt ? known : new FailedInfo(attempt, e.Error),
        };
    }

    public static RequestState OnArchived(RequestState? state, TransformationArchived e, int attempt)
    {
        var next = Known(state, e, attempt);
        return next with
        {
            Archived = next.Archived is { } known && known.Attempt > attempt ? known : new ArchivedInfo(attempt, e),
            UpdatedAt = Max(next.UpdatedAt, e.OccurredAt),
        };
    }

    /// <summary>The attempt a request starts: 0, or its replay count.</summary>
    public static int AttemptOf(TransformationRequested request) => request.Replay?.ReplayCount ?? 0;

    /// <summary>The state so far, or a placeholder from an event that carries no request (its requested event comes later).</summary>
    private static RequestState Known(RequestState? state, ICinematicEvent e, int attempt) =>
        state is null
            ? new RequestState(e.RequestId, e.TenantId, e.OccurredAt, e.OccurredAt, attempt, TransformationTask.Unknown, null, 0, null, null, null, null)
            : state with { Attempt = Math.Max(state.Attempt, attempt) };

    /// <summary>Takes in the request an event carries: the latest attempt's details win, the first one's time is the creation time.</summary>
    private static RequestState TakeIn(RequestState? state, TransformationRequested request, DateTimeOffset eventTime)
    {
        var attempt = AttemptOf(request);
        if (state is null)
        {
            return new RequestState(request.RequestId, request.TenantId, request.OccurredAt, eventTime, attempt, request.Task, request.Media,
                request.OutputCount, null, null, null, null);
        }

        var latest = attempt >= state.Attempt;
        return state with
        {
            CreatedAt = request.OccurredAt < state.CreatedAt ? request.OccurredAt : state.CreatedAt,
            UpdatedAt = Max(state.UpdatedAt, eventTime),
            Attempt = latest ? attempt : state.Attempt,
            Task = latest || state.Task == TransformationTask.Unknown ? request.Task : state.Task,
            Media = latest || state.Media is null ? request.Media : state.Media,
            OutputCount = latest || state.OutputCount == 0 ? request.OutputCount : state.OutputCount,
        };
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value > b ? value : b;
}

/// <summary>A provider job a request attempt started (the latest one announced).</summary>
public sealed record StartedInfo(int Attempt, DateTimeOffset OccurredAt, Provider Provider, string Model);

/// <summary>What the provider's run came to (outputs are temporary provider URLs until archived).</summary>
public sealed record CompletedInfo(
    int Attempt,
    Provider Provider,
    string Model,
    long ProcessingTimeMs,
    int RequestedCount,
    IReadOnlyList<string> Warnings);

/// <summary>What the archiver stored for an attempt.</summary>
public sealed record ArchivedInfo(int Attempt, TransformationArchived Event);

public sealed record FailedInfo(int Attempt, ErrorInfo Error);
