using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CinematicSwitch.DevStack.Components;

/// <summary>
/// One of the project's services run from its build output as its own OS process, configured only
/// through environment variables, exactly as a container would run it. It ends with the process that started it
/// (see <see cref="ChildProcesses"/>).
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;
    private readonly Process _process;
    private readonly ILogger _logger;

    private ServiceProcess(string name, Process process, ILogger logger)
    {
        Name = name;
        _process = process;
        _logger = logger;
    }

    public string Name { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The build output of a service project: src/{project}/bin/{configuration}/net10.0/CinematicSwitch.{project}.dll.</summary>
    public static string AssemblyPath(string project, string configuration) =>
        Path.Combine(RepositoryLayout.Root, "src", project, "bin", configuration, "net10.0", $"CinematicSwitch.{project}.dll");

    /// <param name="output">Receives each line the service writes (stdout and stderr), already formatted by the service.</param>
    public static ServiceProcess Start(
        string name,
        string assemblyPath,
        IReadOnlyDictionary<string, string> environment,
        Action<string> output,
        ILogger logger)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"{name} is not built (run dotnet build first).", assemblyPath);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = ChildProcesses.Start(start);
        process.OutputDataReceived += (_, e) => Relay(output, e.Data);
        process.ErrorDataReceived += (_, e) => Relay(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process, logger);
    }

    /// <summary>
    /// Asks <c>/readyz</c> under <paramref name="baseUrl"/> every half second until it answers 200, and returns that answer's
    /// body (the checks). A slow answer (5 s) or none (not listening yet) is asked again; the service exiting, or
    /// <paramref name="timeout"/> passing, ends the wait with an exception.
    /// </summary>
    public async Task<string> WaitUntilReadyAsync(Uri baseUrl, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var readiness = new ResiliencePipelineBuilder<string?> { TimeProvider = time }
            .AddTimeout(timeout)
            .AddRetry(new RetryStrategyOptions<string?>
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(500),
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = new PredicateBuilder<string?>().Handle<HttpRequestException>().Handle<TimeoutRejectedException>().HandleResult(body => body is null),
            })
            .AddTimeout(TimeSpan.FromSeconds(5))
            .Build();
        try
        {
            return (await readiness.ExecuteAsync(async ct =>
            {
                if (HasExited)
                {
                    throw new InvalidOperationException($"{Name} exited before it was ready (exit code {_process.ExitCode}).");
                }

                using var response = await http.GetAsync(new Uri(baseUrl, "/readyz"), ct);
                return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
            }, cancellationToken))!;
        }
        catch (TimeoutRejectedException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Name} was not ready at {baseUrl}readyz within {timeout.TotalSeconds:F0} s.", e);
        }
    }

    /// <summary>SIGKILL: no shutdown hooks run, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGSTOP: every thread of the service freezes, as in a long GC pause or a frozen VM, until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, SigStop);
        }
    }

    /// <summary>SIGCONT: a paused service goes on where it stopped.</summary>
    public void Resume()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, SigCont);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if the service has not stopped within <paramref name="grace"/>. A paused service is resumed first.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Resume();
        _ = SendSignal(_process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("{Service} did not stop within {Grace}; killing it", Name, grace);
            await KillAsync();
        }
    }

    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    private static void Relay(Action<string> output, string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            output(line);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
