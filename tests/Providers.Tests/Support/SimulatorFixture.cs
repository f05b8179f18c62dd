using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>The three simulators on free loopback ports, one set per test class.</summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    public ProviderSimulators Simulators { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Simulators = await TestSimulators.StartAsync(new SimulatorOptions { LatencyMs = 150 });

    public async Task DisposeAsync() => await Simulators.DisposeAsync();
}
