using System.Collections;

namespace CinematicSwitch.Ops.Cli;

/// <summary>
/// What a run of the tool talks to: its output streams, environment variables, working directory, clock, and where
/// to look for the embedded stack's endpoints file.
/// Tests run the commands in-process with their own.
/// </summary>
internal sealed record OpsEnvironment(
    TextWriter Out,
    TextWriter Error,
    IReadOnlyDictionary<string, string> Variables,
    string WorkingDirectory,
    TimeProvider Time,
    IReadOnlyList<string> EndpointsSearchRoots,
    bool OutIsTerminal = false,
    bool ErrorIsTerminal = false)
{
    public static OpsEnvironment FromProcess() => new(
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? "", StringComparer.Ordinal),
        Directory.GetCurrentDirectory(),
        TimeProvider.System,
        // scripts/ops.sh may run from anywhere: the repository's endpoints file is found from the program's place too.
        [Directory.GetCurrentDirectory(), AppContext.BaseDirectory],
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected);
}
