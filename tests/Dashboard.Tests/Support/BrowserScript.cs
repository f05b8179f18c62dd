using System.Diagnostics;
using System.Text;
using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Dashboard.Tests.Support;

/// <summary>What a browser script printed (stdout and stderr, interleaved as they came) and how it exited.</summary>
public sealed record BrowserRun(int ExitCode, string Output)
{
    /// <summary>The JSON the script printed after <paramref name="marker"/> on a line of its own.</summary>
    public string? Line(string marker) =>
        Output.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.StartsWith(marker, StringComparison.Ordinal))?[marker.Length..];
}

/// <summary>
/// Runs a Node.js script of this test project (tests/Dashboard.Tests/browser) that drives headless Chromium with
/// playwright-core from the repository's node_modules (scripts/bootstrap.sh installs both).
/// </summary>
public static class BrowserScript
{
    public static async Task<BrowserRun> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Node resolves playwright-core upwards from the script, to the repository's node_modules.
            WorkingDirectory = RepositoryLayout.Root,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryLayout.Root, "tests", "Dashboard.Tests", "browser", script));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // Chromium is the script's child: the whole tree goes.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Append(output, $"[killed after {timeout.TotalSeconds} s]");
            return new BrowserRun(-1, Read(output));
        }

        // The exit arrives before the last redirected lines: WaitForExit() without a timeout waits for them.
        process.WaitForExit();
        return new BrowserRun(process.ExitCode, Read(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
