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
/// One request as the projection knows it. Events of the five topics arrive in any order relative to each other,
/// and a failed request may be replayed (a new requested event, same id, later occurred_at): an outcome counts for
/// the attempt it answers (its embedded request's occurred_at), so a replay turns a failed request pending again.
/// </summary>
public sealed record RequestState(
    Guid RequestId,
    string TenantId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset AttemptAt,
    TransformationTask Task,
    MediaReference? Media,
    int OutputCount,
    StartedInfo? Started,
    CompletedInfo? Completed,
    TransformationArchived? Archived,
    FailedInfo? Failed)
{
    public RequestPhase Phase =>
        Failed is { } failed && failed.AttemptAt >= AttemptAt ? RequestPhase.Failed
        : Archived is not null ? RequestPhase.Completed
        : Completed is { } completed && completed.AttemptAt >= AttemptAt ? RequestPhase.Processing
        : RequestPhase.Pending;

    /// <summary>The provider job the current attempt runs, while it is pending and one was announced; null while queued.</summary>
    public StartedInfo? Generating =>
        Phase == RequestPhase.Pending && Started is { } started && started.AttemptAt >= AttemptAt ? started : null;

    public bool IsTerminal => Phase is RequestPhase.Completed or RequestPhase.Failed;

    public static RequestState OnRequested(RequestState? state, TransformationRequested e) =>
        Attempt(state, e, e.OccurredAt) with { UpdatedAt = Max(state?.UpdatedAt, e.OccurredAt) };

    /// <summary>The latest job of the latest attempt wins (a fallback provider's job follows the first provider's).</summary>
    public static RequestState OnStarted(RequestState? state, TransformationStarted e)
    {
        var next = Known(state, e);
        return next with
        {
            Started = next.Started is { } known && (known.AttemptAt, known.OccurredAt).CompareTo((e.RequestOccurredAt, e.OccurredAt)) > 0
                ? known
                : new StartedInfo(e.RequestOccurredAt, e.OccurredAt, e.Provider, e.Model),
            UpdatedAt = Max(next.UpdatedAt, e.OccurredAt),
        };
    }

    public static RequestState OnCompleted(RequestState? state, TransformationCompleted e)
    {
        var next = Attempt(state, e.Request, e.OccurredAt);
        return next with
        {
            Completed = next.Completed is { } known && known.AttemptAt > e.Request.OccurredAt
                ? known
                : new CompletedInfo(e.Request.OccurredAt, e.Provider, e.Model, e.ProcessingTimeMs, e.RequestedCount, e.Warnings),
        };
    }

    public static RequestState OnFailed(RequestState? state, TransformationFailed e)
    {
        var next = Attempt(state, e.Request, e.OccurredAt);
        return next with
        {
            Failed = next.Failed is { } known && known.AttemptAt > e.Request.OccurredAt ? known : new FailedInfo(e.Request.OccurredAt, e.Error),
        };
    }

    public static RequestState OnArchived(RequestState? state, TransformationArchived e) =>
        Known(state, e) with
        {
            Archived = e,
            UpdatedAt = Max(state?.UpdatedAt, e.OccurredAt),
        };

    /// <summary>The state so far, or a placeholder from an event that carries no request (its requested event comes later).</summary>
    private static RequestState Known(RequestState? state, ICinematicEvent e) =>
        state ?? new RequestState(e.RequestId, e.TenantId, e.OccurredAt, e.OccurredAt, DateTimeOffset.MinValue, TransformationTask.Unknown, null, 0,
            null, null, null, null);

    /// <summary>Takes in the request an event carries: the latest attempt's details win, the first one's time is the creation time.</summary>
    private static RequestState Attempt(RequestState? state, TransformationRequested request, DateTimeOffset eventTime)
    {
        if (state is null)
        {
            return new RequestState(request.RequestId, request.TenantId, request.OccurredAt, eventTime, request.OccurredAt, request.Task, request.Media,
                request.OutputCount, null, null, null, null);
        }

        var latest = request.OccurredAt >= state.AttemptAt;
        return state with
        {
            CreatedAt = request.OccurredAt < state.CreatedAt ? request.OccurredAt : state.CreatedAt,
            UpdatedAt = Max(state.UpdatedAt, eventTime),
            AttemptAt = latest ? request.OccurredAt : state.AttemptAt,
            Task = latest ? request.Task : state.Task,
            Media = latest ? request.Media : state.Media,
            OutputCount = latest ? request.OutputCount : state.OutputCount,
        };
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } value && value > b ? value : b;
}

/// <summary>A provider job a request attempt started (the latest one announced).</summary>
public sealed record StartedInfo(DateTimeOffset AttemptAt, DateTimeOffset OccurredAt, Provider Provider, string Model);

/// <summary>What the provider's run came to (outputs are temporary provider URLs until archived).</summary>
public sealed record CompletedInfo(
    DateTimeOffset AttemptAt,
    Provider Provider,
    string Model,
    long ProcessingTimeMs,
    int RequestedCount,
    IReadOnlyList<string> Warnings);

public sealed record FailedInfo(DateTimeOffset AttemptAt, ErrorInfo Error);
