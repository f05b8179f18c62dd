using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Failures;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ops.Tests;

/// <summary>Which failure is still a request's latest outcome: the rules, one by one.</summary>
[Trait("Category", "Stack")]
public sealed class FailureHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TransformationRequested _request = PipelineTestbed.Request("tenant-a", null, "a medieval knight in a castle");
    private int _offset;

    [Fact]
    public void A_lone_failure_is_open_until_the_replay_limit()
    {
        var failure = Failure(0, T0);
        Assert.Equal(FailureState.Open, Single([failure], maxReplays: 1).State);

        var third = Failure(3, T0);
        var classified = Single([third], maxReplays: 3);
        Assert.Equal(FailureState.LimitReached, classified.State);
        Assert.Contains("limit is 3", classified.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_is_answered_by_a_later_completion_or_a_later_failure()
    {
        var first = Failure(0, T0);
        var second = Failure(1, T0.AddMinutes(5));
        var completion = Completion(2, T0.AddMinutes(10));

        var states = FailureHistory.Classify([first, second], [completion], [], null, 3).Select(c => c.State);
        Assert.Equal([FailureState.CompletedLater, FailureState.CompletedLater], states);

        var withoutCompletion = FailureHistory.Classify([first, second], [], [], null, 3).Select(c => c.State);
        Assert.Equal([FailureState.FailedLater, FailureState.Open], withoutCompletion);
    }

    [Fact]
    public void An_archiving_failure_after_its_completion_is_the_latest_outcome()
    {
        var completion = Completion(0, T0);
        var archiving = Failure(0, T0.AddSeconds(30));

        Assert.Equal(FailureState.Open, FailureHistory.Classify([archiving], [completion], [], null, 3).Single().State);
        // Published twice, the earlier copy is answered by the later one: only one of them is ever replayed.
        var copy = Failure(0, T0.AddSeconds(40));
        Assert.Equal([FailureState.FailedLater, FailureState.Open], FailureHistory.Classify([archiving, copy], [completion], [], null, 3).Select(c => c.State));
    }

    [Fact]
    public void A_published_replay_without_an_outcome_is_pending()
    {
        var failure = Failure(0, T0);
        var replay = new ReplayMark(new RequestIdentity(_request.RequestId, 1), T0.AddMinutes(1), new RecordLocation("requested", 0, 9), "failed/0/0");

        var classified = FailureHistory.Classify([failure], [], [replay], null, 3).Single();
        Assert.Equal(FailureState.ReplayPending, classified.State);
        Assert.Contains("requested/0/9", classified.Detail, StringComparison.Ordinal);
        // A replay of an earlier attempt does not count.
        var later = Failure(1, T0.AddMinutes(2));
        Assert.Equal(FailureState.Open, FailureHistory.Classify([later], [], [replay], null, 3).Single().State);
    }

    [Fact]
    public void A_failure_older_than_the_retained_history_is_not_judged_open()
    {
        var old = Failure(0, T0);
        var recent = Failure(0, T0.AddDays(2)) with { Event = Failure(0, T0).Event with { RequestId = Guid.NewGuid() } };
        var completeSince = T0.AddDays(1);

        var classified = FailureHistory.Classify([old, recent], [], [], completeSince, 3);
        Assert.Equal([FailureState.HistoryExpired, FailureState.Open], classified.Select(c => c.State));
        // What is known still counts: an old failure with a known later completion is answered.
        Assert.Equal(FailureState.CompletedLater, FailureHistory.Classify([old], [Completion(1, T0.AddDays(3))], [], completeSince, 3).Single().State);
    }

    private static ClassifiedFailure Single(IReadOnlyList<FailureRecord> failures, int maxReplays) =>
        Assert.Single(FailureHistory.Classify(failures, [], [], null, maxReplays));

    private FailureRecord Failure(int replayCount, DateTimeOffset at)
    {
        var request = replayCount == 0 ? _request : _request with { Replay = new ReplayInfo(replayCount, at, "ops:test", ErrorCode.TimeoutError, "timed out") };
        var failed = new TransformationFailed(request.RequestId, request.TenantId, request.CorrelationId, request.Requester, at, FailureStage.Processing,
            new ErrorInfo(ErrorCode.TimeoutError, "timed out", Provider.Replicate, null, new Dictionary<string, string>()), request);
        return new FailureRecord(failed, new RecordLocation("failed", 0, _offset++), at);
    }

    private OutcomeMark Completion(int replayCount, DateTimeOffset at) =>
        new(new RequestIdentity(_request.RequestId, replayCount), true, at, new RecordLocation("completed", 0, _offset++));
}
