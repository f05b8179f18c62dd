using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using CinematicSwitch.DevStack.Components;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>
/// The processor service run as its own OS process from its build output, configured by environment variables as the
/// tests' PipelineTestbed runs it: for scenarios that need instances with a runtime each, or a SIGKILL.
/// </summary>
internal sealed partial class ProcessorProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProcessorProcess(string name, Func<ProcessorProcess, ServiceProcess> start)
    {
        Name = name;
        _process = start(this);
    }

    public string Name { get; }

    /// <summary>Each line the process wrote, with the time it arrived here.</summary>
    public ConcurrentQueue<(DateTime At, string Line)> Lines { get; } = new();

    /// <summary>CPU time the process has used so far (user and system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var process = Process.GetProcessById(_process.ProcessId);
            return process.TotalProcessorTime;
        }
    }

    /// <param name="overrides">Configuration keys (':' separated) set on top of the processor's benchmark settings.</param>
    public static ProcessorProcess Start(BenchStack bench, string name, string prefix, int maxInFlight, IReadOnlyDictionary<string, string> overrides)
    {
        // The runtime's own lines (assigned, taken over, revoked) date a failover's steps; the rest stays at warnings.
        var settings = Scenarios.ProcessorSettings(bench, prefix, maxInFlight,
            overrides.Prepend(KeyValuePair.Create("Serilog:MinimumLevel:Override:StreamProcessor", "Information")));

        var environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value ?? "");
        // Built alike: the benchmark runs from bin/<configuration>/net10.0, and its project reference builds the processor so.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return new ProcessorProcess(name, self => ServiceProcess.Start(name, ServiceProcess.AssemblyPath("Processor", configuration), environment,
            self.Receive, NullLogger.Instance));
    }

    /// <summary>Where the process serves /metrics and /readyz, once it listens.</summary>
    public async Task<Uri> UrlAsync(TimeSpan timeout) => await _listening.Task.WaitAsync(timeout);

    /// <summary>The process's /metrics, in the Prometheus text format.</summary>
    public async Task<string> MetricsAsync(HttpClient http, TimeSpan timeout) =>
        await http.GetStringAsync(new Uri(await UrlAsync(timeout), "/metrics"));

    /// <summary>The input partitions the process owns now, as its stream metrics report them (a queue gauge per owned partition).</summary>
    public async Task<IReadOnlySet<int>> AssignedAsync(HttpClient http, TimeSpan timeout) =>
        QueuedGauge().Matches(await MetricsAsync(http, timeout)).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToHashSet();

    /// <summary>SIGKILL, as in a crash.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>SIGTERM: the processor drains, commits and leaves its group (SIGKILL if it takes longer than 30 s).</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void Receive(string line)
    {
        Lines.Enqueue((DateTime.UtcNow, line));
        if (ListeningOn().Match(line) is { Success: true } listening)
        {
            _listening.TrySetResult(new Uri(listening.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();

    [GeneratedRegex("""^cinematic_stream_queued\{[^}]*partition="(\d+)"[^}]*\}""", RegexOptions.Multiline)]
    private static partial Regex QueuedGauge();
}
