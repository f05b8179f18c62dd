using CinematicSwitch.Providers.Simulators;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>The three simulators on free loopback ports, one set per test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public ProviderSimulators Simulators { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Simulators = await ProviderSimulators.StartAsync(new SimulatorOptions { LatencyMs = 150 }, CancellationToken.None);

    public async Task DisposeAsync() => await Simulators.DisposeAsync();
}
