namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>Processor processes in one consumer group, started together and stopped together.</summary>
internal sealed class ProcessorFleet : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ProcessorFleet(IReadOnlyList<ProcessorProcess> instances) => Instances = instances;

    public IReadOnlyList<ProcessorProcess> Instances { get; }

    /// <summary>
    /// Starts <paramref name="count"/> processors (each capped at <paramref name="maxInFlight"/>) in the prefix's group and
    /// returns once the group has settled: every instance owns partitions, together all of them, none twice, unchanged
    /// for a second.
    /// </summary>
    public static async Task<ProcessorFleet> StartAsync(BenchStack bench, string prefix, int count, int maxInFlight,
        IReadOnlyDictionary<string, string> overrides)
    {
        var fleet = new ProcessorFleet([.. Enumerable.Range(1, count).Select(i => ProcessorProcess.Start(bench, $"processor-{i}", prefix, maxInFlight, overrides))]);
        try
        {
            await fleet.SettledAsync(bench.Partitions);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlySet<int>> AssignedAsync(ProcessorProcess instance) => instance.AssignedAsync(_http, StartTimeout);

    public Task<string> MetricsAsync(ProcessorProcess instance) => instance.MetricsAsync(_http, StartTimeout);

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Instances.Select(i => i.DisposeAsync().AsTask()));
        _http.Dispose();
    }

    private async Task SettledAsync(int partitions)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        string? last = null;
        var since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var owned = await Task.WhenAll(Instances.Select(AssignedAsync));
            var now = string.Join(" | ", owned.Select(o => string.Join(",", o.Order())));
            var balanced = owned.All(o => o.Count > 0) && owned.Sum(o => o.Count) == partitions && owned.SelectMany(o => o).Distinct().Count() == partitions;
            if (now != last)
            {
                (last, since) = (now, DateTime.UtcNow);
            }
            else if (balanced && DateTime.UtcNow - since >= TimeSpan.FromSeconds(1))
            {
                return;
            }

            await Task.Delay(250);
        }

        var logs = Instances.SelectMany(i => i.Lines.TakeLast(15).Select(l => $"{i.Name} | {l.Line}"));
        throw new TimeoutException($"The group did not settle within {StartTimeout} (owned: {last}):\n{string.Join(Environment.NewLine, logs)}");
    }
}
