using System.Diagnostics;
using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Ops.Tests.Support;

/// <summary>The built CLI run as an OS process, configured by environment variables as an operator's shell would.</summary>
internal static class OpsProcess
{
    public static async Task<OpsResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var directory = Directory.CreateTempSubdirectory("ops-process-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            start.ArgumentList.Add(ServiceProcess.AssemblyPath("Ops", configuration));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return new OpsResult(process.ExitCode, await output, await error);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
