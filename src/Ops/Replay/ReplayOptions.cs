using System.CommandLine;
using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.Replay;

/// <summary>How a replay runs: acting or not, how fast, how often one request may be replayed, and in whose name.</summary>
internal sealed record ReplaySettings(bool Execute, double Rate, int MaxReplays, string ReplayedBy);

/// <summary>The options of every replay command.</summary>
internal sealed class ReplayOptions
{
    public const int DefaultMaxReplays = 3;
    public const double DefaultRate = 2;

    public Option<bool> Yes { get; } = new("--yes", "-y") { Description = "Replay. Without it, the command is a dry run that publishes nothing." };

    public Option<double> Rate { get; } = new("--rate")
    {
        Description = "Records published per second at most, so a replay cannot flood a provider.",
        DefaultValueFactory = _ => DefaultRate,
    };

    public Option<int> MaxReplays { get; } = MaxReplaysOption();

    public Option<string> ReplayedBy { get; } = new("--replayed-by")
    {
        Description = "Who replays, recorded in each replayed request and header (ops:<user name>).",
        DefaultValueFactory = _ => $"ops:{Environment.UserName}",
    };

    public ReplayOptions() =>
        Rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double>() is not (> 0 and <= 1000))
            {
                result.AddError("--rate must be more than 0 and at most 1000 records per second.");
            }
        });

    /// <summary>The replay limit, also taken by list commands so that they show what a replay would do.</summary>
    public static Option<int> MaxReplaysOption() => CommonOptions.AtLeast("--max-replays",
        "The most times one request is replayed; a request at the limit is skipped", 1, DefaultMaxReplays);

    public void AddTo(Command command) => command.AddAll(Yes, Rate, MaxReplays, ReplayedBy);

    public ReplaySettings Read(ParseResult result) =>
        new(result.GetValue(Yes), result.GetValue(Rate), result.GetValue(MaxReplays), result.GetValue(ReplayedBy) ?? "ops");
}
