using System.CommandLine;

namespace CinematicSwitch.Ops.Cli;

/// <summary>Options several commands share, built the same way everywhere.</summary>
internal static class CommonOptions
{
    public static void AddAll(this Command command, params Option[] options)
    {
        foreach (var option in options)
        {
            command.Options.Add(option);
        }
    }

    public static Option<DateTimeOffset?> Time(string name, string description, TimeProvider time) => new(name)
    {
        Description = $"{description}: {TimeArgument.Help}.",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (TimeArgument.TryParse(text, time.GetUtcNow(), out var parsed))
            {
                return parsed;
            }

            result.AddError($"{name}: '{text}' is not {TimeArgument.Help}.");
            return null;
        },
    };

    public static Option<string[]> Patterns(string name, string description) => new(name)
    {
        Description = $"{description} (repeatable; a trailing '*' matches a prefix).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static IReadOnlyList<TextPattern> ReadPatterns(ParseResult result, Option<string[]> option) =>
        (result.GetValue(option) ?? []).Select(p => new TextPattern(p)).ToList();

    /// <summary>An integer option that must be at least <paramref name="minimum"/>.</summary>
    public static Option<int> AtLeast(string name, string description, int minimum, int defaultValue)
    {
        var option = new Option<int>(name) { Description = $"{description}.", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < minimum)
            {
                result.AddError($"{name} must be at least {minimum}.");
            }
        });
        return option;
    }
}
