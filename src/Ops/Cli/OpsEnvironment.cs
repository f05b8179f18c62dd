using System.Collections;

namespace CinematicSwitch.Ops.Cli;

/// <summary>
/// What a run of the tool talks to: its output streams, environment variables, working directory and clock.
/// Tests run the commands in-process with their own.
/// </summary>
internal sealed record OpsEnvironment(
    TextWriter Out,
    TextWriter Error,
    IReadOnlyDictionary<string, string> Variables,
    string WorkingDirectory,
    TimeProvider Time,
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
        !Console.IsOutputRedirected,
        !Console.IsErrorRedirected);
}
