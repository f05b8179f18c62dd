using System.Diagnostics;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Kafka;

namespace CinematicSwitch.Ops.Failures;

/// <summary>A TransformationFailed event and where it was read.</summary>
/// <param name="Trace">The trace context the failed event carries (its request's trace), for a replay to go on in.</param>
internal sealed record FailureRecord(TransformationFailed Event, RecordLocation Location, DateTimeOffset Timestamp, ActivityContext Trace = default)
{
    /// <summary>The replay count of the attempt that failed (0 for the original request).</summary>
    public int ReplayCount => Event.Request.Replay?.ReplayCount ?? 0;
}

/// <summary>An outcome of a request attempt (completed or failed), known by its identity and record time.</summary>
internal sealed record OutcomeMark(RequestIdentity Identity, bool Completed, DateTimeOffset Timestamp, RecordLocation Location);

/// <summary>A request this tool published again as a new attempt (found by its <see cref="ReplayHeaders.ReplayIdentity"/>).</summary>
internal sealed record ReplayMark(RequestIdentity Identity, DateTimeOffset Timestamp, RecordLocation Location, string? ReplayedFrom);

/// <summary>Where a failure stands; only <see cref="Open"/> failures are replayed.</summary>
internal enum FailureState
{
    /// <summary>The request's latest outcome, with replays left.</summary>
    Open,

    /// <summary>The request's latest outcome, but its replay count is at the limit.</summary>
    LimitReached,

    /// <summary>A later attempt of the request completed.</summary>
    CompletedLater,

    /// <summary>A later attempt failed too: that failure is the one to look at.</summary>
    FailedLater,

    /// <summary>A replay was published and has no outcome yet.</summary>
    ReplayPending,

    /// <summary>Older than the oldest records left in the topics that would show a later outcome or replay; retention
    /// may have deleted them, so replaying could repeat work that already succeeded.</summary>
    HistoryExpired,
}

internal sealed record ClassifiedFailure(FailureRecord Failure, FailureState State, string? Detail);

/// <summary>
/// Decides, for each failure, whether it is still the request's latest outcome. Outcomes are ordered by replay count,
/// then by record time (an archiving failure follows its request's completion with the same count).
/// </summary>
internal static class FailureHistory
{
    public static IReadOnlyList<ClassifiedFailure> Classify(
        IReadOnlyList<FailureRecord> failures,
        IReadOnlyList<OutcomeMark> completions,
        IReadOnlyList<ReplayMark> replays,
        DateTimeOffset? completeSince,
        int maxReplays)
    {
        var outcomes = completions
            .Concat(failures.Select(f => new OutcomeMark(new RequestIdentity(f.Event.RequestId, f.ReplayCount), false, f.Timestamp, f.Location)))
            .ToLookup(o => o.Identity.RequestId);
        var replaysByRequest = replays.ToLookup(r => r.Identity.RequestId);
        return failures.Select(failure => Classify(failure, outcomes[failure.Event.RequestId], replaysByRequest[failure.Event.RequestId], completeSince, maxReplays))
            .ToList();
    }

    private static ClassifiedFailure Classify(
        FailureRecord failure, IEnumerable<OutcomeMark> outcomes, IEnumerable<ReplayMark> replays, DateTimeOffset? completeSince, int maxReplays)
    {
        var count = failure.ReplayCount;
        var latest = outcomes
            .Where(o => o.Location != failure.Location
                && (o.Identity.ReplayCount > count || (o.Identity.ReplayCount == count && o.Timestamp > failure.Timestamp)))
            .OrderBy(o => o.Identity.ReplayCount).ThenBy(o => o.Timestamp)
            .LastOrDefault();
        if (latest is not null)
        {
            var attempt = $"replay {latest.Identity.ReplayCount}";
            return latest.Completed
                ? new ClassifiedFailure(failure, FailureState.CompletedLater, $"{attempt} completed ({latest.Location})")
                : new ClassifiedFailure(failure, FailureState.FailedLater, $"{attempt} failed ({latest.Location})");
        }

        if (replays.Where(r => r.Identity.ReplayCount > count).MaxBy(r => r.Identity.ReplayCount) is { } pending)
        {
            return new ClassifiedFailure(failure, FailureState.ReplayPending, $"replay {pending.Identity.ReplayCount} published ({pending.Location})");
        }

        if (completeSince is { } since && failure.Timestamp < since)
        {
            return new ClassifiedFailure(failure, FailureState.HistoryExpired, $"outcomes before {Cli.Display.Time(since)} were deleted by retention");
        }

        return count + 1 > maxReplays
            ? new ClassifiedFailure(failure, FailureState.LimitReached, $"replayed {count} time(s), the limit is {maxReplays}")
            : new ClassifiedFailure(failure, FailureState.Open, null);
    }
}
