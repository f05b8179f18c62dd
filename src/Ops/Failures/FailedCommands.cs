using System.CommandLine;
using System.Globalization;
using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Events;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Ops.Replay;
using Confluent.Kafka;
using ErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;

namespace CinematicSwitch.Ops.Failures;

/// <summary>failed list | show | replay: failed requests (cinematic.transformation.failed) and their replays.</summary>
internal static class FailedCommands
{
    private static readonly ErrorCode[] NotRetriable = [ErrorCode.InvalidInput, ErrorCode.InputValidationError];

    public static Command Create(CommandRunner runner)
    {
        var filter = new FailureFilterOptions(runner.Time);
        var listLimit = ReplayOptions.MaxReplaysOption();
        var openOnly = new Option<bool>("--open") { Description = "Only failures a replay would act on (state open)." };
        var list = new Command("list", "Failed requests that match the filters, each with where it stands: open (replayable), " +
            "completed-later, failed-later, replay-pending, limit-reached or history-expired.");
        filter.AddTo(list);
        list.Options.Add(listLimit);
        list.Options.Add(openOnly);
        runner.Handle(list, (session, result, token) =>
            ListAsync(session, filter.Read(result), result.GetValue(listLimit), result.GetValue(openOnly), token));

        var requestId = new Argument<Guid>("request-id") { Description = "The request id (a UUID)." };
        var showLimit = ReplayOptions.MaxReplaysOption();
        var show = new Command("show", "One request's failures, completions and replays, with its latest error's details.") { requestId, showLimit };
        runner.Handle(show, (session, result, token) => ShowAsync(session, result.GetValue(requestId), result.GetValue(showLimit), token));

        var replayOptions = new ReplayOptions();
        var ignoreRetention = new Option<bool>("--ignore-retention")
        {
            Description = "Also replay failures older than the oldest records retention left in the requested and completed topics " +
                "(a later outcome of them may have been deleted).",
        };
        var replay = new Command("replay", "Publishes each matching open failure's request again as a new attempt (its replay count + 1, " +
            "with the failure it answers), keyed by tenant. INVALID_INPUT and INPUT_VALIDATION_ERROR failures are replayed only when --code " +
            "names them (the request itself is at fault); a request whose input retention deleted is skipped as " + RetentionCodes.InputExpired + ". " +
            "A dry run unless --yes.");
        filter.AddTo(replay);
        replayOptions.AddTo(replay);
        replay.Options.Add(ignoreRetention);
        runner.Handle(replay, (session, result, token) =>
            ReplayAsync(session, filter.Read(result), replayOptions.Read(result), result.GetValue(ignoreRetention), token));

        return new Command("failed", "Inspect and replay failed requests.") { list, show, replay };
    }

    private static async Task<int> ListAsync(OpsSession session, FailureFilter filter, int maxReplays, bool openOnly, CancellationToken cancellationToken)
    {
        var log = await LoadAsync(session, cancellationToken);
        var matched = Matching(log.Classify(maxReplays), filter)
            .Where(c => !openOnly || c.State == FailureState.Open)
            .Select(FailureView.Of)
            .ToList();
        if (session.Console.Json)
        {
            session.Console.WriteJson(new { failures = matched, undecodable = log.Undecodable, completeSince = log.CompleteSince });
            return ExitCodes.Ok;
        }

        session.Console.WriteList("failure", FailureView.Columns, matched);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(OpsSession session, Guid requestId, int maxReplays, CancellationToken cancellationToken)
    {
        var log = await LoadAsync(session, cancellationToken);
        var failures = log.Classify(maxReplays).Where(c => c.Failure.Event.RequestId == requestId).ToList();
        var history = failures.Select(c => new HistoryEntry(c.Failure.ReplayCount, "failed", c.Failure.Timestamp, c.Failure.Location.ToString(),
                $"{Display.Symbol(c.Failure.Event.Error.Code)}: {c.Failure.Event.Error.Message} [{Display.Kebab(c.State)}]"))
            .Concat(log.Completions.Where(c => c.Identity.RequestId == requestId)
                .Select(c => new HistoryEntry(c.Identity.ReplayCount, "completed", c.Timestamp, c.Location.ToString(), null)))
            .Concat(log.Replays.Where(r => r.Identity.RequestId == requestId)
                .Select(r => new HistoryEntry(r.Identity.ReplayCount, "replay published", r.Timestamp, r.Location.ToString(),
                    r.ReplayedFrom is null ? null : $"answers {r.ReplayedFrom}")))
            .OrderBy(e => e.At)
            .ToList();
        if (history.Count == 0)
        {
            throw new OpsException($"Request {requestId} has no failure, completion or replay in {session.Topic(Topics.Failed)}, " +
                $"{session.Topic(Topics.Completed)} or {session.Topic(Topics.Requested)}.", ExitCodes.NotFound);
        }

        var latest = failures.OrderBy(c => c.Failure.ReplayCount).ThenBy(c => c.Failure.Timestamp).LastOrDefault();
        var request = latest is null ? null : RequestView.Of(latest.Failure.Event.Request);
        var error = latest?.Failure.Event.Error;
        if (session.Console.Json)
        {
            session.Console.WriteJson(new { requestId, state = latest is null ? null : Display.Kebab(latest.State), detail = latest?.Detail, history, request, error });
            return ExitCodes.Ok;
        }

        session.Console.Line($"Request {requestId}" + (latest is null ? "" : $": {Display.Kebab(latest.State)}{(latest.Detail is null ? "" : $" ({latest.Detail})")}"));
        var table = OpsConsole.Table("Attempt", "Event", "At", "Record", "Detail");
        foreach (var entry in history)
        {
            OpsConsole.Row(table, entry.ReplayCount.ToString(CultureInfo.InvariantCulture), entry.Event, Display.Time(entry.At), entry.Record, entry.Detail);
        }

        session.Console.Write(table);
        if (request is not null && error is not null)
        {
            var details = OpsConsole.Table("Field", "Value");
            foreach (var (name, value) in request.Fields().Concat(ErrorFields(error)))
            {
                OpsConsole.Row(details, name, value);
            }

            session.Console.Write(details);
        }

        return ExitCodes.Ok;
    }

    private static async Task<int> ReplayAsync(OpsSession session, FailureFilter filter, ReplaySettings settings, bool ignoreRetention, CancellationToken cancellationToken)
    {
        var log = await LoadAsync(session, cancellationToken);
        var matched = Matching(log.Classify(settings.MaxReplays, ignoreRetention), filter).ToList();
        var topic = session.Topic(Topics.Requested);
        var serializer = session.Serdes.Serializer<TransformationRequested>();
        var skipReasons = new List<string?>(matched.Count);
        foreach (var classified in matched)
        {
            // Inputs are checked before anything is published (and in a dry run), only for what would be replayed.
            skipReasons.Add(SkipReason(classified, filter)
                ?? await InputCheck.ExpiredAsync(session.Store, classified.Failure.Event.Request, cancellationToken));
        }

        var plan = matched.Select((c, i) => new PlannedReplay(
            $"{c.Failure.Event.RequestId} (replay {c.Failure.ReplayCount + 1})",
            topic,
            skipReasons[i],
            async token =>
            {
                var replayed = AsReplay(c.Failure, session.Time.GetUtcNow(), settings.ReplayedBy);
                var headers = new Headers();
                RecordHeaders.Add(headers, ReplayHeaders.ReplayedFrom, c.Failure.Location.ToString());
                RecordHeaders.Add(headers, ReplayHeaders.ReplayedBy, settings.ReplayedBy);
                RecordHeaders.Add(headers, ReplayHeaders.ReplayedAt, replayed.Replay!.ReplayedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
                RecordHeaders.Add(headers, ReplayHeaders.ReplayIdentity, new RequestIdentity(replayed.RequestId, replayed.Replay.ReplayCount).ToString());
                return new Message<byte[]?, byte[]?>
                {
                    Key = Encoding.UTF8.GetBytes(replayed.TenantId),
                    Value = await serializer.SerializeAsync(replayed, topic, token),
                    Headers = headers,
                };
            },
            c.Failure.Trace)).ToList();

        if (!session.Console.Json)
        {
            session.Console.Write(OpsConsole.Table([.. FailureView.Columns, "Action"], matched.Zip(plan).Select(p =>
                (string?[])[.. FailureView.Of(p.First).Cells(), p.Second.Replays ? $"replay {p.First.Failure.ReplayCount + 1}" : $"skip: {p.Second.SkipReason}"])));
        }

        var summary = await ReplayRunner.RunAsync(session, plan, settings, cancellationToken);
        if (session.Console.Json)
        {
            var items = matched.Zip(plan).Select(p => new
            {
                failure = FailureView.Of(p.First),
                action = p.Second.Replays ? "replay" : "skip",
                reason = p.Second.SkipReason,
                replayCount = p.Second.Replays ? p.First.Failure.ReplayCount + 1 : (int?)null,
            });
            session.Console.WriteJson(new { dryRun = summary.DryRun, items, summary });
        }
        else
        {
            ReplayRunner.Report(session.Console, summary);
        }

        return summary.ExitCode;
    }

    /// <summary>
    /// Why a failure is not replayed: its state, or a code that says the request itself is at fault (invalid input, a
    /// content policy refusal), which a replay would only repeat unless the operator names that code.
    /// </summary>
    private static string? SkipReason(ClassifiedFailure classified, FailureFilter filter) =>
        classified.State != FailureState.Open ? Display.Kebab(classified.State)
        : NotRetriable.Contains(classified.Failure.Event.Error.Code) && !filter.Codes.Contains(classified.Failure.Event.Error.Code) ? "not-retriable"
        : null;

    /// <summary>The failed request again, as its next attempt, carrying the failure it answers.</summary>
    internal static TransformationRequested AsReplay(FailureRecord failure, DateTimeOffset now, string replayedBy) =>
        failure.Event.Request with
        {
            Replay = new ReplayInfo(failure.ReplayCount + 1, now, replayedBy, failure.Event.Error.Code, failure.Event.Error.Message),
        };

    private static async Task<FailureLog> LoadAsync(OpsSession session, CancellationToken cancellationToken)
    {
        var log = await FailureLog.LoadAsync(session, cancellationToken);
        if (log.Undecodable > 0)
        {
            session.Console.Warning($"{log.Undecodable} record(s) of the failed or completed topics could not be decoded and were left out.");
        }

        if (log.CompleteSince is { } since)
        {
            session.Console.Notice($"Retention deleted records before {Display.Time(since)}: older failures show as history-expired.");
        }

        return log;
    }

    private static IEnumerable<ClassifiedFailure> Matching(IEnumerable<ClassifiedFailure> classified, FailureFilter filter) =>
        classified.Where(c => filter.Matches(c.Failure.Event)).OrderBy(c => c.Failure.Event.OccurredAt).ThenBy(c => c.Failure.Timestamp);

    private static IEnumerable<(string, string)> ErrorFields(ErrorInfo error) =>
        new[]
        {
            ("error code", Display.Symbol(error.Code)),
            ("error message", error.Message),
            ("error provider", Display.Symbol(error.Provider)),
            ("error http status", error.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? ""),
        }.Concat(error.Details.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => ($"error detail {d.Key}", d.Value)));

    private sealed record HistoryEntry(int ReplayCount, string Event, DateTimeOffset At, string Record, string? Detail);
}
