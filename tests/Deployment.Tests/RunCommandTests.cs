using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// The program behind the README's run command (scripts/run.sh execs it): it brings the whole stack up, writes the
/// endpoints file, and whatever way it ends, a SIGTERM as from Ctrl-C or a SIGKILL (with its children stopped), none of
/// its services and no s3rver outlives it.
/// </summary>
[Trait("Category", "Stack")]
public sealed class RunCommandTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGKILL")]
    public async Task The_embedded_stack_comes_up_ready_and_takes_its_processes_with_it_when_it_ends(string signal)
    {
        var dataDirectory = $".devstack-test-{Guid.NewGuid():N}";
        var endpointsPath = Repository.File(dataDirectory, "endpoints.json");
        var log = new ConcurrentQueue<string>();
        var environment = new Dictionary<string, string>
        {
            ["DevStack__DataDirectory"] = dataDirectory,
            ["DevStack__Configuration"] = Repository.BuildConfiguration,
            ["DevStack__S3Port"] = LoopbackPorts.Free().ToString(),
            ["DevStack__IngestPort"] = LoopbackPorts.Free().ToString(),
            ["DevStack__ProcessorPort"] = LoopbackPorts.Free().ToString(),
            ["DevStack__ArchiverPort"] = LoopbackPorts.Free().ToString(),
            ["Topology__Partitions"] = "3",
        };
        var stack = ServiceProcess.Start("devstack", Repository.AssemblyPath("DevStack"), environment, log.Enqueue, NullLogger.Instance);
        try
        {
            using var endpoints = await WaitForEndpointsAsync(endpointsPath, stack, log);
            var root = endpoints.RootElement;
            Assert.NotEmpty(root.GetProperty("kafka").GetProperty("bootstrapServers").GetString()!);
            Assert.StartsWith("cs_demo_", root.GetProperty("demoTenant").GetProperty("apiKey").GetString(), StringComparison.Ordinal);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var service in root.GetProperty("services").EnumerateObject())
            {
                using var ready = await http.GetAsync(new Uri(new Uri(service.Value.GetString()!), "readyz"));
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            var children = Descendants(stack.ProcessId);
            var commandLines = children.Select(CommandLine).ToList();
            foreach (var expected in new[] { "CinematicSwitch.Ingest.dll", "CinematicSwitch.Processor.dll", "CinematicSwitch.Archiver.dll", "s3rver.js" })
            {
                Assert.Contains(commandLines, c => c.Contains(expected, StringComparison.Ordinal));
            }

            if (signal == "SIGTERM")
            {
                // Ctrl-C's way out; a stack that does not stop within the grace is killed, and fails below on its exit code.
                await stack.StopAsync(TimeSpan.FromSeconds(90));
            }
            else
            {
                // Stopped children too: a stopped process keeps a caught signal such as SIGTERM pending, and would stay.
                var stopped = await ProcessRunner.RunAsync("kill", ["-STOP", .. children.Select(c => c.ToString())], new Dictionary<string, string>());
                Assert.Equal(0, stopped.ExitCode);
                using var process = System.Diagnostics.Process.GetProcessById(stack.ProcessId);
                process.Kill(entireProcessTree: false);
            }

            var exitCode = await stack.WaitForExitAsync(CancellationToken.None);
            var survivors = await WaitUntilEndedAsync(children, TimeSpan.FromSeconds(90));

            foreach (var line in log)
            {
                output.WriteLine(line);
            }

            Assert.Empty(survivors.Select(CommandLine));
            if (signal == "SIGTERM")
            {
                Assert.Equal(0, exitCode);
                Assert.Contains(log, l => l.Contains("Embedded stack stopped", StringComparison.Ordinal));
            }
        }
        finally
        {
            await stack.KillAsync();
            var directory = Repository.File(dataDirectory);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>The endpoints file is written once every service answered /readyz.</summary>
    private static async Task<JsonDocument> WaitForEndpointsAsync(string path, ServiceProcess stack, IEnumerable<string> log)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!File.Exists(path))
        {
            Assert.False(stack.HasExited, $"The stack exited before it was up:\n{string.Join('\n', log)}");
            Assert.True(DateTime.UtcNow < deadline, $"The stack was not up within 3 minutes:\n{string.Join('\n', log)}");
            await Task.Delay(500);
        }

        return JsonDocument.Parse(await File.ReadAllTextAsync(path));
    }

    /// <summary>Waits until none of <paramref name="processes"/> runs (a zombie nobody reaps counts as ended); returns those still running.</summary>
    private static async Task<List<int>> WaitUntilEndedAsync(IReadOnlyList<int> processes, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var running = processes.Where(IsRunning).ToList();
            if (running.Count == 0 || DateTime.UtcNow > deadline)
            {
                return running;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Every process below <paramref name="root"/>, from /proc's parent ids.</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat)
            {
                parents[pid] = stat.ParentId;
            }
        }

        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(pid);
                frontier.Enqueue(pid);
            }
        }

        return found;
    }

    private static bool IsRunning(int pid) => Stat(pid) is { State: not 'Z' and not 'X' };

    /// <summary>/proc/{pid}/stat's state and parent id: the fields after the command name, which is in parentheses and may hold spaces.</summary>
    private static (char State, int ParentId)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}";
        }
        catch (IOException)
        {
            return $"{pid}: (gone)";
        }
    }
}
