using System.Diagnostics;
using CinematicSwitch.Contracts;

namespace CinematicSwitch.Processor.Benchmarks;

/// <param name="Rate">Completed per second, first to last publication.</param>
/// <param name="PerInstance">The slowest and the fastest instance's own rate (outputs of the partitions it owns).</param>
/// <param name="ProcessorCores">CPU the instances used together while measured, in cores.</param>
/// <param name="InstanceCores">The least and the most CPU one instance used meanwhile, in cores.</param>
/// <param name="BenchCores">CPU this process (the embedded cluster, registry, simulators, publisher, watcher) used meanwhile.</param>
/// <param name="IdleCores">CPU the instances used together with nothing to do (polling, heartbeats, commits), and this process meanwhile.</param>
internal sealed record ScaleOutResult(int Instances, int Requests, string Partitions, double Rate, (double Min, double Max) PerInstance,
    double ProcessorCores, (double Min, double Max) InstanceCores, double BenchCores,
    (double Processors, double Bench) IdleCores);

/// <summary>
/// Instances of the processor as processes in one consumer group, each with its own cap, on a provider-bound backlog:
/// what N instances complete per second. Processes, not hosts in this process: each instance then pays for its own
/// runtime (GC, JIT, thread pool, Kafka clients and their threads) as a deployed one does, on the same two cores.
/// </summary>
internal static class ScaleOut
{
    public static async Task<ScaleOutResult> MeasureAsync(BenchStack bench, int instances, int maxInFlight, IReadOnlyList<string> tenants, int requests)
    {
        var prefix = await bench.NewTopologyAsync($"scale{instances}");
        await using var fleet = await ProcessorFleet.StartAsync(bench, prefix, instances, maxInFlight, new Dictionary<string, string>());
        var owned = await Task.WhenAll(fleet.Instances.Select(fleet.AssignedAsync));
        var idle = await CoresAsync(fleet, () => Task.Delay(TimeSpan.FromSeconds(3)));

        // One request per tenant first: every instance has taken its partitions over and run its code once before the clock runs.
        using (var warmup = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed))
        {
            await bench.PublishAsync(prefix, tenants.Count, tenants);
            warmup.WaitFor(tenants.Count, TimeSpan.FromMinutes(5));
        }

        using var watcher = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed);
        var busy = await CoresAsync(fleet, async () =>
        {
            await bench.PublishAsync(prefix, requests, tenants);
            watcher.WaitFor(requests, TimeSpan.FromMinutes(10));
        });
        var perInstance = owned.Select(o => Rate(watcher.Completions.Where(c => o.Contains(c.SourcePartition)).Select(c => c.PublishedAt).ToList())).ToList();
        return new ScaleOutResult(instances, requests, string.Join("+", owned.Select(o => o.Count)), watcher.Rate, (perInstance.Min(), perInstance.Max()),
            busy.Processors, (busy.Instances.Min(), busy.Instances.Max()), busy.Bench, (idle.Processors, idle.Bench));
    }

    private static double Rate(List<DateTime> published) => (published.Count - 1) / (published.Max() - published.Min()).TotalSeconds;

    /// <summary>The CPU the instances (together and each) and this process used while <paramref name="run"/> ran, in cores.</summary>
    private static async Task<(double Processors, List<double> Instances, double Bench)> CoresAsync(ProcessorFleet fleet, Func<Task> run)
    {
        var (instanceCpu, ownCpu, clock) = (fleet.Instances.Select(i => i.CpuTime).ToList(), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
        await run();
        var wall = clock.Elapsed;
        var instances = fleet.Instances.Select((instance, i) => (instance.CpuTime - instanceCpu[i]) / wall).ToList();
        return (instances.Sum(), instances, (Process.GetCurrentProcess().TotalProcessorTime - ownCpu) / wall);
    }
}
