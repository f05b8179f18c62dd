using System.CommandLine;
using System.Globalization;
using System.Text;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Events;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Ops.Replay;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using ErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;

namespace CinematicSwitch.Ops.DeadLetters;

/// <summary>dlq list | show | replay: records the processor and the archiver dead-lettered, and their way back.</summary>
internal static class DeadLetterCommands
{
    private const string AsIs = "as-is";
    private const string NewAttempt = "new-attempt";

    public static Command Create(CommandRunner runner)
    {
        var filter = new DeadLetterFilterOptions(runner.Time);
        var listLimit = ReplayOptions.MaxReplaysOption();
        var list = new Command("list", "Dead letters that match the filters, with their reason, source and state: pending, replayed, no-source or limit-reached.");
        filter.AddTo(list);
        list.Options.Add(listLimit);
        runner.Handle(list, (session, result, token) => ListAsync(session, filter.Read(result), result.GetValue(listLimit), token));

        var record = new Argument<string>("record")
        {
            Description = "The dead letter as <topic>/<partition>/<offset>, where <topic> is requested, completed or the topic's full name.",
        };
        var showLimit = ReplayOptions.MaxReplaysOption();
        var show = new Command("show", "One dead letter: its headers, where it came from, and what its value decodes to (no user content).") { record, showLimit };
        runner.Handle(show, (session, result, token) => ShowAsync(session, result.GetValue(record)!, result.GetValue(showLimit), token));

        var replayOptions = new ReplayOptions();
        var force = new Option<bool>("--force") { Description = "Also replay dead letters that were replayed before." };
        var asIs = new Option<bool>("--as-is")
        {
            Description = "Send requests that failed while being processed back byte for byte too, instead of as a new attempt " +
                "(the processor skips them while it remembers their attempt: its deduplication window, 1 hour by default).",
        };
        var noDecodeCheck = new Option<bool>("--no-decode-check")
        {
            Description = "Replay records this tool cannot decode either (when the fix is in the consumer, not in the record or the registry).",
        };
        var replay = new Command("replay", "Sends dead letters back to the topic they came from, once their cause is fixed: the original key and bytes, " +
            "with the original headers and where they were replayed from. Requests that failed while being processed go back as a new attempt " +
            "(replay count + 1). A dry run unless --yes.");
        filter.AddTo(replay);
        replayOptions.AddTo(replay);
        replay.Options.Add(force);
        replay.Options.Add(asIs);
        replay.Options.Add(noDecodeCheck);
        runner.Handle(replay, (session, result, token) => ReplayAsync(session, filter.Read(result), replayOptions.Read(result),
            new ReplayChoices(result.GetValue(force), result.GetValue(asIs), result.GetValue(noDecodeCheck)), token));

        return new Command("dlq", "Inspect and replay dead letters (cinematic.transformation.requested.dlq and cinematic.transformation.completed.dlq).")
        {
            list, show, replay,
        };
    }

    private static async Task<int> ListAsync(OpsSession session, DeadLetterFilter filter, int maxReplays, CancellationToken cancellationToken)
    {
        var matched = (await LoadAsync(session, filter, cancellationToken)).Classify(maxReplays)
            .Where(c => filter.Matches(c.Letter))
            .Select(DeadLetterView.Of)
            .ToList();
        if (session.Console.Json)
        {
            session.Console.WriteJson(new { deadLetters = matched });
            return ExitCodes.Ok;
        }

        session.Console.WriteList("dead letter", DeadLetterView.Columns, matched);
        return ExitCodes.Ok;
    }

    private static async Task<int> ShowAsync(OpsSession session, string reference, int maxReplays, CancellationToken cancellationToken)
    {
        if (!RecordLocation.TryParse(reference, out var wanted))
        {
            throw new OpsException($"'{reference}' is not <topic>/<partition>/<offset>.", ExitCodes.Usage);
        }

        var topic = DeadLetterLog.Resolve(DeadLetterLog.TopicsOf(session), wanted.Topic);
        var log = await DeadLetterLog.LoadAsync(session, [topic], cancellationToken);
        var location = wanted with { Topic = topic.Name };
        var classified = log.Classify(maxReplays).FirstOrDefault(c => c.Letter.Location == location)
            ?? throw new OpsException($"{location} is not a record of {topic.Name} (it may have been deleted by retention).", ExitCodes.NotFound);
        var letter = classified.Letter;
        var (request, decodeError) = await DecodeAsync(session, letter, topic, cancellationToken);
        var view = DeadLetterView.Of(classified);
        var headers = letter.Headers.Select(h => new { key = h.Key, value = Printable(h.GetValueBytes()) }).ToList();
        var schemaId = letter.Value is { Length: >= 5 } value && value[0] == 0 ? System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1, 4)) : (int?)null;
        var requestView = request is null ? null : RequestView.Of(request);
        if (session.Console.Json)
        {
            session.Console.WriteJson(new { deadLetter = view, schemaId, decodeError, request = requestView, headers });
            return ExitCodes.Ok;
        }

        var fields = OpsConsole.Table("Field", "Value");
        foreach (var (name, text) in DeadLetterView.Columns.Zip(view.Cells()))
        {
            OpsConsole.Row(fields, name, text);
        }

        OpsConsole.Row(fields, "Detail", view.Detail);
        OpsConsole.Row(fields, "Value", $"{view.ValueBytes} bytes{(schemaId is null ? ", not in the registry's wire format" : $", schema id {schemaId}")}");
        OpsConsole.Row(fields, "Decodes", decodeError is null ? "yes" : $"no: {decodeError}");
        foreach (var (name, text) in requestView?.Fields() ?? [])
        {
            OpsConsole.Row(fields, name, text);
        }

        session.Console.Write(fields);
        session.Console.Write(OpsConsole.Table(["Header", "Value"], headers.Select(h => new string?[] { h.key, h.value })));
        return ExitCodes.Ok;
    }

    private static async Task<int> ReplayAsync(OpsSession session, DeadLetterFilter filter, ReplaySettings settings, ReplayChoices choices, CancellationToken cancellationToken)
    {
        var topics = Chosen(session, filter);
        var log = await DeadLetterLog.LoadAsync(session, topics, cancellationToken);
        var matched = log.Classify(settings.MaxReplays).Where(c => filter.Matches(c.Letter)).ToList();
        var requestedSource = session.Topic(CinematicSwitch.Contracts.Topics.Requested);
        var items = new List<(ClassifiedDeadLetter Classified, string Mode, int? ReplayCount, PlannedReplay Plan)>();
        foreach (var classified in matched)
        {
            var letter = classified.Letter;
            var skip = classified.State switch
            {
                DeadLetterState.NoSource => "no-source",
                DeadLetterState.LimitReached => "limit-reached",
                DeadLetterState.Replayed when !choices.Force => "already-replayed",
                _ => null,
            };
            TransformationRequested? request = null;
            if (skip is null)
            {
                (request, var decodeError) = await DecodeAsync(session, letter, topics.Single(t => t.Name == letter.Location.Topic), cancellationToken);
                if (decodeError is not null && !choices.NoDecodeCheck)
                {
                    skip = "still-undecodable";
                }
            }

            // A request that failed while processed goes back as its next attempt, so the event itself records the replay
            // (who, when, the dead letter's reason) for the status view and downstream consumers; --as-is keeps the bytes.
            var asNewAttempt = skip is null && request is not null && classified.ExpectedSource == requestedSource
                && letter.Kind == DeadLetter.ProcessingFailed && !choices.AsIs;
            int? replayCount = asNewAttempt ? (request!.Replay?.ReplayCount ?? 0) + 1 : null;
            if (replayCount > settings.MaxReplays)
            {
                skip = "limit-reached";
            }

            var plan = new PlannedReplay($"{letter.Location} ({(asNewAttempt ? $"as replay {replayCount}" : AsIs)})", classified.ExpectedSource, skip,
                token => asNewAttempt
                    ? NewAttemptAsync(session, letter, request!, replayCount!.Value, settings.ReplayedBy, token)
                    : ValueTask.FromResult(Original(session, letter, settings.ReplayedBy)),
                KafkaTracing.Extract(letter.Headers));
            items.Add((classified, asNewAttempt ? NewAttempt : AsIs, replayCount, plan));
        }

        if (!session.Console.Json)
        {
            session.Console.Write(OpsConsole.Table([.. DeadLetterView.Columns, "Action"], items.Select(i => (string?[])
                [.. DeadLetterView.Of(i.Classified).Cells(), i.Plan.Replays ? $"replay {(i.Mode == AsIs ? AsIs : $"as attempt {i.ReplayCount}")}" : $"skip: {i.Plan.SkipReason}"])));
        }

        var summary = await ReplayRunner.RunAsync(session, items.Select(i => i.Plan).ToList(), settings, cancellationToken);
        if (session.Console.Json)
        {
            session.Console.WriteJson(new
            {
                dryRun = summary.DryRun,
                items = items.Select(i => new
                {
                    deadLetter = DeadLetterView.Of(i.Classified),
                    action = i.Plan.Replays ? "replay" : "skip",
                    reason = i.Plan.SkipReason,
                    mode = i.Plan.Replays ? i.Mode : null,
                    replayCount = i.Plan.Replays ? i.ReplayCount : null,
                }),
                summary,
            });
        }
        else
        {
            ReplayRunner.Report(session.Console, summary);
        }

        return summary.ExitCode;
    }

    /// <summary>The original key and bytes, with the headers they had before dead-lettering and this replay's own.</summary>
    private static Message<byte[]?, byte[]?> Original(OpsSession session, DeadLetter letter, string replayedBy) => new()
    {
        Key = letter.Key,
        Value = letter.Value,
        Headers = ReplayedHeaders(session, letter, replayedBy),
    };

    /// <summary>The dead-lettered request as its next attempt, carrying the dead letter's reason as the failure it answers.</summary>
    private static async ValueTask<Message<byte[]?, byte[]?>> NewAttemptAsync(
        OpsSession session, DeadLetter letter, TransformationRequested request, int replayCount, string replayedBy, CancellationToken cancellationToken)
    {
        var now = session.Time.GetUtcNow();
        var replayed = request with { Replay = new ReplayInfo(replayCount, now, replayedBy, ErrorCode.Unknown, $"dead-lettered: {letter.Reason}") };
        var headers = ReplayedHeaders(session, letter, replayedBy);
        RecordHeaders.Add(headers, ReplayHeaders.ReplayIdentity, new RequestIdentity(replayed.RequestId, replayCount).ToString());
        var topic = letter.Source!.Value.Topic;
        return new Message<byte[]?, byte[]?>
        {
            Key = letter.Key ?? Encoding.UTF8.GetBytes(replayed.TenantId),
            Value = await session.Serdes.Serializer<TransformationRequested>().SerializeAsync(replayed, topic, cancellationToken),
            Headers = headers,
        };
    }

    private static Headers ReplayedHeaders(OpsSession session, DeadLetter letter, string replayedBy)
    {
        var headers = new Headers();
        foreach (var header in RecordHeaders.BeforeDeadLettering(letter.Headers))
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        RecordHeaders.Add(headers, ReplayHeaders.ReplayedFrom, letter.Location.ToString());
        RecordHeaders.Add(headers, ReplayHeaders.ReplayedBy, replayedBy);
        RecordHeaders.Add(headers, ReplayHeaders.ReplayedAt, session.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        RecordHeaders.Add(headers, ReplayHeaders.DeadLetterReplays, (letter.PreviousReplays + 1).ToString(CultureInfo.InvariantCulture));
        return headers;
    }

    /// <summary>Decodes a dead letter as its source topic's event; the request it is or carries, or why it does not decode.</summary>
    private static async Task<(TransformationRequested? Request, string? Error)> DecodeAsync(
        OpsSession session, DeadLetter letter, DeadLetterTopic topic, CancellationToken cancellationToken)
    {
        if (letter.Value is not { } value)
        {
            return (null, "the record has no value");
        }

        try
        {
            return topic.Alias == "requested"
                ? (await session.Serdes.Deserializer<TransformationRequested>().DeserializeAsync(value, topic.Source, cancellationToken), null)
                : ((await session.Serdes.Deserializer<TransformationCompleted>().DeserializeAsync(value, topic.Source, cancellationToken)).Request, null);
        }
        // A registry that refuses the tool (credentials) says nothing about the value: that fails the command.
        catch (AvroSerdeException e) when (e.Kind != AvroSerdeError.RegistryRefused)
        {
            return (null, e.Message);
        }
    }

    private static Task<DeadLetterLog> LoadAsync(OpsSession session, DeadLetterFilter filter, CancellationToken cancellationToken) =>
        DeadLetterLog.LoadAsync(session, Chosen(session, filter), cancellationToken);

    private static IReadOnlyList<DeadLetterTopic> Chosen(OpsSession session, DeadLetterFilter filter)
    {
        var all = DeadLetterLog.TopicsOf(session);
        return filter.Topics.Count == 0 ? all : filter.Topics.Select(t => DeadLetterLog.Resolve(all, t)).Distinct().ToList();
    }

    private static string Printable(byte[]? bytes)
    {
        if (bytes is null)
        {
            return "(null)";
        }

        var text = Encoding.UTF8.GetString(bytes);
        return text.All(c => !char.IsControl(c) && c != '\uFFFD') ? text : "0x" + Convert.ToHexStringLower(bytes);
    }

    private sealed record ReplayChoices(bool Force, bool AsIs, bool NoDecodeCheck);
}
