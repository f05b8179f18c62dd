using System.Diagnostics;

namespace CinematicSwitch.Testing;

public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs a command line tool to completion, capturing what it writes.</summary>
public static class ProcessRunner
{
    /// <param name="environment">The whole environment of the tool beyond PATH and HOME (so nothing of the caller's leaks in),
    /// or, with <paramref name="inherit"/>, additions to the caller's.</param>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        string? input = null, string? workingDirectory = null, bool inherit = false)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (!inherit)
        {
            start.Environment.Clear();
            foreach (var name in new[] { "PATH", "HOME" })
            {
                start.Environment[name] = Environment.GetEnvironmentVariable(name) ?? "";
            }
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
