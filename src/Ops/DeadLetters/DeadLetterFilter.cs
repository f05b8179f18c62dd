using System.CommandLine;
using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.DeadLetters;

/// <summary>Which dead letters a command looks at: by topic, reason, failure time, partition and offset.</summary>
internal sealed record DeadLetterFilter(IReadOnlyList<string> Topics, IReadOnlyList<string> Reasons, TimeRange Time, IReadOnlySet<int> Partitions, long? FromOffset, long? ToOffset)
{
    public bool Matches(DeadLetter letter) =>
        (Reasons.Count == 0 || Reasons.Any(r => letter.Reason.Contains(r, StringComparison.OrdinalIgnoreCase)))
        && Time.Contains(letter.FailedAt)
        && (Partitions.Count == 0 || Partitions.Contains(letter.Location.Partition))
        && (FromOffset is null || letter.Location.Offset >= FromOffset)
        && (ToOffset is null || letter.Location.Offset <= ToOffset);
}

internal sealed class DeadLetterFilterOptions
{
    public DeadLetterFilterOptions(TimeProvider time)
    {
        Since = CommonOptions.Time("--since", "Only records dead-lettered at or after this time", time);
        Until = CommonOptions.Time("--until", "Only records dead-lettered at or before this time", time);
    }

    public Option<string[]> Topic { get; } = new("--topic")
    {
        Description = "Which dead-letter topic: requested or completed (repeatable; default both).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string[]> Reason { get; } = new("--reason")
    {
        Description = "Only records whose reason contains this text, e.g. undecodable, processing-failed, or part of an error message (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<DateTimeOffset?> Since { get; }

    public Option<DateTimeOffset?> Until { get; }

    public Option<int[]> Partition { get; } = new("--partition")
    {
        Description = "Only this partition of the dead-letter topic (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<long?> FromOffset { get; } = new("--from-offset") { Description = "Only records at or after this offset of the dead-letter topic." };

    public Option<long?> ToOffset { get; } = new("--to-offset") { Description = "Only records at or before this offset of the dead-letter topic." };

    public void AddTo(Command command) => command.AddAll(Topic, Reason, Since, Until, Partition, FromOffset, ToOffset);

    public DeadLetterFilter Read(ParseResult result) => new(
        result.GetValue(Topic) ?? [],
        result.GetValue(Reason) ?? [],
        new TimeRange(result.GetValue(Since), result.GetValue(Until)),
        (result.GetValue(Partition) ?? []).ToHashSet(),
        result.GetValue(FromOffset),
        result.GetValue(ToOffset));
}
