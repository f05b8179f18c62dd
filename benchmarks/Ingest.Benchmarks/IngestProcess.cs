using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using CinematicSwitch.DevStack;
using CinematicSwitch.DevStack.Components;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Ingest.Benchmarks;

/// <summary>Ingest as deployed: its own process, configured only through environment variables, pointed at the embedded stack.</summary>
internal sealed partial class IngestProcess : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly ConcurrentQueue<string> _output;

    private IngestProcess(ServiceProcess process, Uri url, ConcurrentQueue<string> output)
    {
        _process = process;
        Url = url;
        _output = output;
    }

    public Uri Url { get; }

    public ProcessMemory Memory => new(_process.ProcessId);

    /// <summary>The projection's own account of its rebuild: records read and milliseconds.</summary>
    public (long Records, long Milliseconds)? Rebuild => _output.Select(l => CaughtUp().Match(l)).Where(m => m.Success)
        .Select(m => (long.Parse(m.Groups["records"].Value), long.Parse(m.Groups["ms"].Value))).Cast<(long, long)?>().FirstOrDefault();

    public static async Task<IngestProcess> StartAsync(EmbeddedStack stack, string configuration, string tenantId, string apiKeySha256)
    {
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var environment = stack.ServiceEnvironment();
        environment["Urls"] = url.ToString();
        environment["Ingest__Tenants__0__TenantId"] = tenantId;
        environment["Ingest__Tenants__0__ApiKeySha256"] = apiKeySha256;
        environment["Metrics__LogIntervalSeconds"] = "0";
        var output = new ConcurrentQueue<string>();
        var process = ServiceProcess.Start("ingest", ServiceProcess.AssemblyPath("Ingest", configuration), environment, output.Enqueue,
            NullLogger.Instance);
        var ingest = new IngestProcess(process, url, output);
        await ingest.WaitUntilReadyAsync();
        return ingest;
    }

    /// <summary>Until the status projection has caught up (the /readyz check of Ingest's own).</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("Ingest exited during startup:\n" + string.Join("\n", _output));
            }

            try
            {
                using var response = await http.GetAsync("/readyz");
                using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                if (report.RootElement.GetProperty("checks").GetProperty("status-projection").GetProperty("status").GetString() == "Healthy")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Ingest was not ready within 5 minutes:\n" + string.Join("\n", _output));
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"caught up: (?<records>\d+) records from \d+ partitions in (?<ms>\d+) ms")]
    private static partial Regex CaughtUp();
}
