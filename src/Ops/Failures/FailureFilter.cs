using System.CommandLine;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.Failures;

/// <summary>Which failures a command looks at: by tenant, error code, requester and the time the request failed.</summary>
internal sealed record FailureFilter(IReadOnlyList<TextPattern> Tenants, IReadOnlySet<ErrorCode> Codes, IReadOnlyList<TextPattern> Requesters, TimeRange Time)
{
    public bool Matches(TransformationFailed failed) =>
        TextPattern.Any(Tenants, failed.TenantId)
        && (Codes.Count == 0 || Codes.Contains(failed.Error.Code))
        && TextPattern.Any(Requesters, failed.Requester)
        && Time.Contains(failed.OccurredAt);
}

internal sealed class FailureFilterOptions
{
    private static readonly string ValidCodes = string.Join(", ", Enum.GetValues<ErrorCode>().Where(c => c != ErrorCode.Unknown).Select(Display.Symbol));

    public FailureFilterOptions(TimeProvider time)
    {
        Since = CommonOptions.Time("--since", "Only failures at or after this time", time);
        Until = CommonOptions.Time("--until", "Only failures at or before this time", time);
        Code.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !Display.TryParse<ErrorCode>(t.Value, out _)))
            {
                result.AddError($"--code: '{token.Value}' is not an error code ({ValidCodes}).");
            }
        });
    }

    public Option<string[]> Tenant { get; } = CommonOptions.Patterns("--tenant", "Only this tenant");

    public Option<string[]> Code { get; } = new("--code")
    {
        Description = $"Only this error code (repeatable): {ValidCodes}.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string[]> Requester { get; } = CommonOptions.Patterns("--requester", "Only this requester, e.g. skill:generate_intro_video_loop");

    public Option<DateTimeOffset?> Since { get; }

    public Option<DateTimeOffset?> Until { get; }

    public void AddTo(Command command) => command.AddAll(Tenant, Code, Requester, Since, Until);

    public FailureFilter Read(ParseResult result) => new(
        CommonOptions.ReadPatterns(result, Tenant),
        (result.GetValue(Code) ?? []).Select(c => Display.TryParse<ErrorCode>(c, out var code) ? code : ErrorCode.Unknown).ToHashSet(),
        CommonOptions.ReadPatterns(result, Requester),
        new TimeRange(result.GetValue(Since), result.GetValue(Until)));
}
