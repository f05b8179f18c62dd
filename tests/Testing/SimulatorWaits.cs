using CinematicSwitch.Providers.Simulators.Core;
using Xunit;

namespace CinematicSwitch.Testing;

public static class SimulatorWaits
{
    /// <summary>Until the simulator has been asked to create at least <paramref name="jobs"/> jobs; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitForJobsAsync(this ProviderSimulator simulator, int jobs, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (simulator.Jobs.Count < jobs)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {simulator.Jobs.Count} provider jobs started");
            await Task.Delay(100);
        }
    }
}
