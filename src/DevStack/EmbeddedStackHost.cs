using CinematicSwitch.DevStack.Components;
using CinematicSwitch.ServiceDefaults.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.DevStack;

/// <summary>Brings the embedded stack up, publishes its endpoints, and takes it down on Ctrl-C.</summary>
internal sealed class EmbeddedStackHost(
    IOptions<DevStackOptions> options,
    IOptions<TopologyOptions> topology,
    ILogger<EmbeddedStackHost> logger) : IHostedLifecycleService
{
    private EmbeddedStack? _stack;

    private string EndpointsPath => Path.Combine(RepositoryLayout.Root, options.Value.DataDirectory, "endpoints.json");

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        _stack = await EmbeddedStack.StartAsync(options.Value, topology.Value, logger, cancellationToken);
        var endpoints = _stack.Endpoints(ingestUrl: null, demoTenant: null);
        await endpoints.WriteAsync(EndpointsPath, cancellationToken);
        logger.LogInformation("Endpoints written to {Path}. Try: kcat -L -b {BootstrapServers}", EndpointsPath, endpoints.Kafka.BootstrapServers);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
            File.Delete(EndpointsPath);
            logger.LogInformation("Embedded stack stopped");
        }
    }
}
