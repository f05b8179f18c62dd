using System.Security.Cryptography;
using System.Text;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.ServiceDefaults.Endpoints;
using CinematicSwitch.ServiceDefaults.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.DevStack;

/// <summary>
/// Brings the embedded stack up (Kafka, registry, S3, provider simulators, then the three services as their
/// own processes, configured only through environment variables), publishes its endpoints, and takes it
/// down on Ctrl-C, services first.
/// </summary>
internal sealed class EmbeddedStackHost(
    IOptions<DevStackOptions> options,
    IOptions<TopologyOptions> topology,
    ILoggerFactory loggers,
    TimeProvider time,
    ILogger<EmbeddedStackHost> logger) : IHostedLifecycleService
{
    private readonly DevStackOptions _options = options.Value;
    private readonly List<ServiceProcess> _services = [];
    private EmbeddedStack? _stack;
    private ProviderSimulators? _simulators;

    private string EndpointsPath => Path.Combine(RepositoryLayout.Root, _options.DataDirectory, "endpoints.json");

    /// <summary>Where the services write their spans, one readable line each (Telemetry:TraceDirectory).</summary>
    private string TracesPath => Path.Combine(RepositoryLayout.Root, _options.DataDirectory, "traces");

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _stack = await EmbeddedStack.StartAsync(_options, topology.Value, loggers, cancellationToken);
        _simulators = await ProviderSimulators.StartAsync(
            new SimulatorOptions { LatencyMs = _options.ProviderLatencyMs, AcceptLoopbackWebhooks = _options.Webhooks }, cancellationToken);
        logger.LogInformation("Provider simulators: Replicate {Replicate}, Runway {Runway}, Leonardo {Leonardo}",
            _simulators.Replicate.BaseUrl, _simulators.Runway.BaseUrl, _simulators.Leonardo.BaseUrl);

        // A fresh key each run: it is printed and written to the endpoints file, never stored elsewhere.
        var demo = new DemoTenant("demo", "cs_demo_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var services = new Dictionary<string, string>();
        if (_options.RunServices)
        {
            // This run's traces only.
            if (Directory.Exists(TracesPath))
            {
                Directory.Delete(TracesPath, recursive: true);
            }

            var webhooks = WebhookSettings();
            services["ingest"] = await StartServiceAsync("Ingest", _options.IngestPort, new Dictionary<string, string>(webhooks)
            {
                ["Ingest__Tenants__0__TenantId"] = demo.TenantId,
                ["Ingest__Tenants__0__ApiKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(demo.ApiKey))),
                // Development only: /dev/run media URLs may name the simulators' sample media (loopback).
                ["Ingest__MediaFetch__LoopbackOrigins__0"] = _simulators.Replicate.Origin.ToString().TrimEnd('/'),
                ["Ingest__MediaFetch__LoopbackOrigins__1"] = _simulators.Runway.Origin.ToString().TrimEnd('/'),
                ["Ingest__MediaFetch__LoopbackOrigins__2"] = _simulators.Leonardo.Origin.ToString().TrimEnd('/'),
            }, cancellationToken);
            var processor = new Dictionary<string, string>(webhooks)
            {
                ["Providers__Runway__PollIntervalMs"] = _options.RunwayPollIntervalMs.ToString(),
            };
            for (var i = 0; i < _options.VideoProviders.Count; i++)
            {
                processor[$"Providers__Routing__VideoProviders__{i}"] = _options.VideoProviders[i];
            }

            services["processor"] = await StartServiceAsync("Processor", _options.ProcessorPort, processor, cancellationToken);
            services["archiver"] = await StartServiceAsync("Archiver", _options.ArchiverPort, new Dictionary<string, string>
            {
                ["Archiver__PresignedUrlExpiry"] = "01:00:00",
                ["Archiver__Download__LoopbackOrigins__0"] = _simulators.Replicate.Origin.ToString().TrimEnd('/'),
                ["Archiver__Download__LoopbackOrigins__1"] = _simulators.Runway.Origin.ToString().TrimEnd('/'),
                ["Archiver__Download__LoopbackOrigins__2"] = _simulators.Leonardo.Origin.ToString().TrimEnd('/'),
            }, cancellationToken);
        }

        var endpoints = _stack.Endpoints(services.GetValueOrDefault("ingest"), _options.RunServices ? demo : null) with
        {
            Services = services,
            ProviderSimulators = new Dictionary<string, string>
            {
                ["replicate"] = _simulators.Replicate.BaseUrl.ToString(),
                ["runway"] = _simulators.Runway.BaseUrl.ToString(),
                ["leonardo"] = _simulators.Leonardo.BaseUrl.ToString(),
            },
        };
        await endpoints.WriteAsync(EndpointsPath, cancellationToken);
        logger.LogInformation("Endpoints written to {Path}. Try: kcat -L -b {BootstrapServers}", EndpointsPath, endpoints.Kafka.BootstrapServers);
        if (_options.RunServices)
        {
            logger.LogInformation("Traces: one line per span in {Traces}/*.log; sort {Traces}/*.log groups them by trace, in time order",
                TracesPath, TracesPath);
        }

        if (endpoints.IngestUrl is { } ingest)
        {
            // The key itself stays out of the log: it is in the endpoints file only.
            logger.LogInformation("Ingest at {Url}, page {Url}/dashboard/cinematic-switch; demo tenant {Tenant}, its API key in {Path}",
                ingest, ingest, demo.TenantId, EndpointsPath);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Services drain and commit while Kafka is still up.
        await Task.WhenAll(_services.Select(s => s.StopAsync(TimeSpan.FromSeconds(30))));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        if (_simulators is not null)
        {
            await _simulators.DisposeAsync();
        }

        if (_stack is not null)
        {
            await _stack.DisposeAsync();
            File.Delete(EndpointsPath);
            logger.LogInformation("Embedded stack stopped");
        }
    }

    /// <summary>
    /// Ingest and the processor, configured alike: Replicate's and Leonardo's webhooks to Ingest (the simulators' signing secret and
    /// a fresh callback key, which the Leonardo simulator is given as the real API key would carry it); none when turned off.
    /// </summary>
    private Dictionary<string, string> WebhookSettings()
    {
        if (!_options.Webhooks)
        {
            return [];
        }

        var ingest = $"http://127.0.0.1:{_options.IngestPort}";
        var callbackKey = "cs_leonardo_hook_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _simulators!.Leonardo.ConfigureWebhook($"{ingest}/webhooks/leonardo", callbackKey);
        return new Dictionary<string, string>
        {
            ["Providers__Replicate__Webhook__Enabled"] = "true",
            ["Providers__Replicate__Webhook__Url"] = $"{ingest}/webhooks/replicate",
            ["Providers__Replicate__Webhook__Secret"] = _simulators.Replicate.WebhookSecret,
            ["Providers__Leonardo__Webhook__Enabled"] = "true",
            ["Providers__Leonardo__Webhook__Secret"] = callbackKey,
        };
    }

    private async Task<string> StartServiceAsync(string project, int port, Dictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var url = $"http://127.0.0.1:{port}";
        var environment = _stack!.ServiceEnvironment();
        foreach (var (key, value) in _simulators!.ProviderConfiguration())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }

        environment["Urls"] = url;
        environment["Telemetry__TraceDirectory"] = TracesPath;
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var service = ServiceProcess.Start(project.ToLowerInvariant(), ServiceProcess.AssemblyPath(project, _options.Configuration),
            environment, Console.WriteLine, logger);
        _services.Add(service);
        await service.WaitUntilReadyAsync(new Uri(url), TimeSpan.FromSeconds(90), time, cancellationToken);
        logger.LogInformation("{Project} ready at {Url}", project, url);
        return url;
    }
}
