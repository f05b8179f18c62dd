using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Kafka;

namespace CinematicSwitch.Ops.DeadLetters;

/// <summary>Where a dead letter stands.</summary>
internal enum DeadLetterState
{
    /// <summary>Not replayed yet.</summary>
    Pending,

    /// <summary>Its bytes were published to its source topic by an earlier replay.</summary>
    Replayed,

    /// <summary>Its headers do not name its source, or name a topic it cannot have come from: it is never replayed.</summary>
    NoSource,

    /// <summary>These bytes already went back to their source as many times as --max-replays allows.</summary>
    LimitReached,
}

internal sealed record ClassifiedDeadLetter(DeadLetter Letter, string ExpectedSource, DeadLetterState State, string? Detail);

/// <summary>A dead-letter topic of the project and the topic its records come from.</summary>
internal sealed record DeadLetterTopic(string Alias, string Name, string Source);

/// <summary>
/// The dead letters of the chosen topics, each judged against its source topic. A replay is recognised by the
/// <see cref="ReplayHeaders.ReplayedFrom"/> header this tool puts on what it publishes, naming the dead letter; so
/// "already replayed" is decided by reading the source topic's headers, and holds for as long as that topic keeps
/// the replayed record.
/// </summary>
internal sealed class DeadLetterLog(IReadOnlyList<DeadLetter> letters, IReadOnlyList<DeadLetterTopic> topics, IReadOnlyDictionary<string, RecordLocation> replayedTo)
{
    public IReadOnlyList<DeadLetter> Letters => letters;

    public static IReadOnlyList<DeadLetterTopic> TopicsOf(OpsSession session) =>
    [
        new("requested", session.Topic(CinematicSwitch.Contracts.Topics.RequestedDeadLetters), session.Topic(CinematicSwitch.Contracts.Topics.Requested)),
        new("completed", session.Topic(CinematicSwitch.Contracts.Topics.CompletedDeadLetters), session.Topic(CinematicSwitch.Contracts.Topics.Completed)),
    ];

    public static async Task<DeadLetterLog> LoadAsync(OpsSession session, IReadOnlyList<DeadLetterTopic> topics, CancellationToken cancellationToken)
    {
        var letters = new List<DeadLetter>();
        await session.Scanner.ScanAsync(topics.Select(t => t.Name).ToList(), record => letters.Add(DeadLetter.Of(record)), cancellationToken);

        var sources = topics.Where(t => letters.Any(l => l.Location.Topic == t.Name)).Select(t => t.Source).ToList();
        var replayedTo = new Dictionary<string, RecordLocation>(StringComparer.Ordinal);
        if (sources.Count > 0)
        {
            await session.Scanner.ScanAsync(sources, record =>
            {
                if (RecordHeaders.Text(record.Message.Headers, ReplayHeaders.ReplayedFrom) is { } from)
                {
                    replayedTo[from] = RecordLocation.Of(record);
                }
            }, cancellationToken);
        }

        return new DeadLetterLog(letters, topics, replayedTo);
    }

    public IReadOnlyList<ClassifiedDeadLetter> Classify(int maxReplays) => letters.Select(letter =>
    {
        var expected = topics.Single(t => t.Name == letter.Location.Topic).Source;
        if (letter.Source is not { } source || source.Topic != expected)
        {
            return new ClassifiedDeadLetter(letter, expected, DeadLetterState.NoSource,
                letter.Source is null ? "no dlq-original-* headers" : $"names {letter.Source.Value.Topic}, expected {expected}");
        }

        if (replayedTo.TryGetValue(letter.Location.ToString(), out var replay))
        {
            return new ClassifiedDeadLetter(letter, expected, DeadLetterState.Replayed, $"replayed to {replay}");
        }

        return letter.PreviousReplays + 1 > maxReplays
            ? new ClassifiedDeadLetter(letter, expected, DeadLetterState.LimitReached, $"replayed {letter.PreviousReplays} time(s), the limit is {maxReplays}")
            : new ClassifiedDeadLetter(letter, expected, DeadLetterState.Pending, null);
    }).ToList();

    /// <summary>A dead-letter topic by its alias ("requested", "completed") or its full name.</summary>
    public static DeadLetterTopic Resolve(IReadOnlyList<DeadLetterTopic> topics, string name) =>
        topics.FirstOrDefault(t => t.Alias.Equals(name, StringComparison.OrdinalIgnoreCase) || t.Name == name)
        ?? throw new OpsException($"'{name}' is not a dead-letter topic: use {string.Join(", ", topics.Select(t => $"{t.Alias} ({t.Name})"))}.", ExitCodes.Usage);
}
