using System.Globalization;
using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.DeadLetters;

/// <summary>A dead letter as tables and JSON show it.</summary>
internal sealed record DeadLetterView(
    string Record,
    string? Key,
    string Reason,
    string? ErrorType,
    string? Source,
    DateTimeOffset FailedAt,
    int? Attempts,
    int Replays,
    int ValueBytes,
    string State,
    string? Detail) : IListedView
{
    public static readonly string[] Columns = ["Dead letter", "Key", "Reason", "Error type", "Source", "Failed at", "Attempts", "Replays", "State"];

    public static DeadLetterView Of(ClassifiedDeadLetter classified)
    {
        var letter = classified.Letter;
        return new DeadLetterView(
            letter.Location.ToString(),
            letter.Key is null ? null : letter.KeyText,
            letter.Reason,
            letter.ErrorType,
            letter.Source?.ToString(),
            letter.FailedAt,
            letter.Attempts,
            letter.PreviousReplays,
            letter.Value?.Length ?? 0,
            Display.Kebab(classified.State),
            classified.Detail);
    }

    public string?[] Cells() =>
    [
        Record, Key ?? "(null)", Reason, ErrorType, Source, Display.Time(FailedAt),
        Attempts?.ToString(CultureInfo.InvariantCulture), Replays.ToString(CultureInfo.InvariantCulture), State,
    ];
}
