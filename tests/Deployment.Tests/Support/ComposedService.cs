using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>
/// A service started by hand from its build output, exactly as docker-compose.yml starts its container: its compose
/// environment and nothing else, except the addresses, which point at the embedded stack (Kafka under a topic prefix of
/// its own, the registry, s3rver) and the provider simulators instead of the compose network's host names.
/// </summary>
internal sealed class ComposedService : IAsyncDisposable
{
    private readonly ProviderSimulators _simulators;

    private ComposedService(ServiceProcess process, Uri baseAddress, ProviderSimulators simulators, ConcurrentQueue<string> output)
    {
        Process = process;
        Output = output;
        BaseAddress = baseAddress;
        _simulators = simulators;
    }

    public ServiceProcess Process { get; }

    public Uri BaseAddress { get; }

    /// <summary>Everything the service wrote (stdout and stderr).</summary>
    public ConcurrentQueue<string> Output { get; }

    /// <param name="changes">Variables to set (or, with a null value, to leave out) after the compose environment and the addresses.</param>
    public static async Task<ComposedService> StartAsync(DeployedService service, IReadOnlyDictionary<string, string?>? changes = null)
    {
        var compose = await ComposeFile.LoadAsync();
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix(service.ComposeName);
        await stack.Kafka.CreateTopologyAsync(prefix);
        var simulators = await TestSimulators.StartAsync(new SimulatorOptions { LatencyMs = 200 });

        var environment = compose.Environment(service.ComposeName);
        var port = LoopbackPorts.Free();
        var s3 = stack.S3.Options;
        var addresses = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Kafka__BootstrapServers"] = stack.Kafka.BootstrapServers,
            ["Kafka__TopicPrefix"] = prefix,
            // The compose file runs KIP-848 groups and states its brokers' session and heartbeat: here the embedded cluster's.
            ["Kafka__SessionTimeoutMs"] = EmbeddedKafka.ConsumerGroupSessionTimeoutMs.ToString(CultureInfo.InvariantCulture),
            ["Kafka__HeartbeatIntervalMs"] = EmbeddedKafka.ConsumerGroupHeartbeatIntervalMs.ToString(CultureInfo.InvariantCulture),
            ["SchemaRegistry__Url"] = stack.SchemaRegistry.Url,
            ["S3__ServiceUrl"] = s3.ServiceUrl!,
            ["S3__Region"] = s3.Region,
            ["S3__AccessKey"] = s3.AccessKey ?? "",
            ["S3__SecretKey"] = s3.SecretKey ?? "",
            ["S3__InputsBucket"] = s3.InputsBucket,
            ["S3__ArchiveBucket"] = s3.ArchiveBucket,
            // s3rver stores aws-chunked bodies verbatim; MinIO needs no such flag.
            ["S3__DisableChunkedUploads"] = s3.DisableChunkedUploads.ToString(),
        };
        if (service != DeployedService.Ingest)
        {
            // A consumer group of this test's own, like its topics.
            addresses[$"{service.Project}__Stream__GroupId"] = prefix + service.ComposeName;
        }

        foreach (var simulator in simulators.All.Where(s => environment.ContainsKey(FlatKeyName(s.Provider))))
        {
            addresses[FlatKeyName(simulator.Provider)] = simulator.ApiKey;
            addresses[$"{simulator.Provider.ToUpperInvariant()}_API_BASE_URL"] = simulator.BaseUrl.ToString();
        }

        foreach (var (key, value) in addresses)
        {
            environment[key] = value;
        }

        foreach (var (key, value) in changes ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                environment.Remove(key);
            }
            else
            {
                environment[key] = value;
            }
        }

        var output = new ConcurrentQueue<string>();
        var process = ServiceProcess.Start(service.ComposeName, Repository.AssemblyPath(service.Project), environment, output.Enqueue, NullLogger.Instance);
        return new ComposedService(process, new Uri($"http://127.0.0.1:{port}/"), simulators, output);
    }

    /// <summary>Polls /readyz until it answers 200 (the process must stay up meanwhile); returns each check's status.</summary>
    public async Task<Dictionary<string, string>> WaitUntilReadyAsync()
    {
        string body;
        try
        {
            body = await Process.WaitUntilReadyAsync(BaseAddress, TimeSpan.FromSeconds(120), TimeProvider.System, CancellationToken.None);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n{Log}");
        }

        using var report = JsonDocument.Parse(body);
        return report.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
    }

    /// <summary>Waits for the process to end by itself (a startup failure) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        return await Process.WaitForExitAsync(timeout.Token);
    }

    /// <summary>SIGTERM, as docker stop sends it; SIGKILL only past <paramref name="grace"/>. Returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan grace)
    {
        await Process.StopAsync(grace);
        return await Process.WaitForExitAsync(CancellationToken.None);
    }

    public string Log => string.Join('\n', Output);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        await _simulators.DisposeAsync();
    }

    private static string FlatKeyName(string provider) => provider.ToUpperInvariant() switch
    {
        "REPLICATE" => "REPLICATE_API_TOKEN",
        var name => $"{name}_API_KEY",
    };
}
