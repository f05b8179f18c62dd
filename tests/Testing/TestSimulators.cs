using CinematicSwitch.Providers.Simulators;

namespace CinematicSwitch.Testing;

/// <summary>The provider simulators as tests start them: part of the stack (<see cref="TestLane"/>).</summary>
public static class TestSimulators
{
    public static Task<ProviderSimulators> StartAsync(SimulatorOptions options)
    {
        TestLane.RequireStack("the provider simulators");
        return ProviderSimulators.StartAsync(options, CancellationToken.None);
    }
}
