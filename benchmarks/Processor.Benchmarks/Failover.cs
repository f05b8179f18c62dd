using System.Globalization;
using System.Text.RegularExpressions;
using CinematicSwitch.Contracts;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>A failover setting: the group protocol and what it is given.</summary>
internal sealed record FailoverSetting(string Name, IReadOnlyDictionary<string, string> Configuration);

/// <summary>
/// What a SIGKILL of one of two instances cost its partitions, in seconds. A gap is the time between consecutive outputs
/// of one input partition (by cs-source, each identity counted once, as readers count them).
/// </summary>
/// <param name="VictimGap">The largest gap spanning or following the kill on the killed instance's partitions (null: one never moved again).</param>
/// <param name="SurvivorGap">The same on the partitions the survivor owned all along.</param>
/// <param name="SteadyGap">The largest gap on any partition before the kill: the load's own spacing.</param>
/// <param name="Assigned">From the kill until the survivor had been assigned all the killed instance's partitions.</param>
/// <param name="TakenOver">From the kill until the survivor had taken the last of them over (claim, changelog, read-back).</param>
/// <param name="Resumed">From the kill until each of them had published an output again (null: one never did).</param>
/// <param name="Copies">Outputs published again by the new owner, byte-identical, which readers ignore.</param>
/// <param name="LeaseRenewalsFailed">Commits of the survivor that did not confirm its membership.</param>
internal sealed record FailoverResult(string Setting, double? VictimGap, double SteadyGap, double SurvivorGap, double? Assigned, double? TakenOver,
    double? Resumed, int Published, int Completed, int Copies, long LeaseRenewalsFailed);

/// <summary>
/// Two processor processes in one group under a steady open-loop load over every input partition; one is SIGKILLed
/// and the gaps in each partition's outputs around the kill are measured, with the survivor's own account of when it
/// was assigned the partitions and took them over.
/// </summary>
internal static partial class Failover
{
    public static async Task<FailoverResult> MeasureAsync(BenchStack bench, FailoverSetting setting, int maxInFlight, IReadOnlyList<string> tenants,
        double perSecond, TimeSpan beforeKill, TimeSpan afterKill)
    {
        var prefix = await bench.NewTopologyAsync("fail");
        await using var fleet = await ProcessorFleet.StartAsync(bench, prefix, 2, maxInFlight, setting.Configuration);
        var (survivor, victim) = (fleet.Instances[0], fleet.Instances[1]);
        var published = (int)(perSecond * (beforeKill + afterKill).TotalSeconds);

        // One request per tenant first: both instances have taken their partitions over and run their code once.
        using (var warmup = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed))
        {
            await bench.PublishAsync(prefix, tenants.Count, tenants);
            warmup.WaitFor(tenants.Count, TimeSpan.FromMinutes(5));
        }

        using var watcher = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed);
        var load = bench.PublishAsync(prefix, published, tenants, perSecond);
        var watching = Task.Run(() => watcher.WaitFor(published, afterKill + TimeSpan.FromMinutes(2)));
        await Task.Delay(beforeKill);
        var victimPartitions = await fleet.AssignedAsync(victim);
        var killedAt = DateTime.UtcNow;
        await victim.KillAsync();
        await load;
        try
        {
            await watching;
        }
        catch (TimeoutException)
        {
            // Reported below: fewer completed than published, and the partitions that never moved again.
        }

        var byPartition = watcher.Completions.GroupBy(c => c.SourcePartition)
            .ToDictionary(g => g.Key, g => g.Select(c => c.PublishedAt).Order().ToList());
        var steadyFrom = byPartition.Values.Min(t => t[0]) + TimeSpan.FromSeconds(2);
        var steady = byPartition.Values.Select(t => Gaps(t).Where(g => g.From >= steadyFrom && g.To <= killedAt).Select(g => g.Length).DefaultIfEmpty(0).Max()).Max();
        double? AfterKill(int partition) =>
            byPartition.TryGetValue(partition, out var times) && times[^1] > killedAt
                ? Gaps(times).Where(g => g.To > killedAt).Max(g => g.Length)
                : null;
        var victims = victimPartitions.Select(AfterKill).ToList();
        var resumed = victimPartitions.Select(p => byPartition.TryGetValue(p, out var times) && times[^1] > killedAt
            ? (times.First(t => t > killedAt) - killedAt).TotalSeconds
            : (double?)null).ToList();
        var survivors = Enumerable.Range(0, bench.Partitions).Except(victimPartitions).Select(AfterKill).ToList();
        var (assigned, takenOver) = Timeline(survivor, killedAt, victimPartitions);
        var renewalsFailed = LeaseRenewalsFailed(await fleet.MetricsAsync(survivor));
        return new FailoverResult(setting.Name, victims.Any(v => v is null) ? null : victims.Max(), steady, survivors.Max() ?? double.NaN,
            assigned, takenOver, resumed.Any(r => r is null) ? null : resumed.Max(), published, watcher.Completions.Count, watcher.Received - watcher.Completions.Count, renewalsFailed);
    }

    /// <summary>Consecutive publication times of one partition's outputs and the seconds between them.</summary>
    private static IEnumerable<(DateTime From, DateTime To, double Length)> Gaps(List<DateTime> times) =>
        times.Zip(times.Skip(1), (a, b) => (a, b, (b - a).TotalSeconds));

    /// <summary>From the survivor's log: seconds from the kill until it was assigned every partition of the victim, and until it had taken them all over.</summary>
    private static (double? Assigned, double? TakenOver) Timeline(ProcessorProcess survivor, DateTime killedAt, IReadOnlySet<int> victimPartitions)
    {
        var lines = survivor.Lines.Where(l => l.At >= killedAt).ToList();
        var assigned = new HashSet<int>();
        var takenOver = new HashSet<int>();
        double? assignedAt = null, takenOverAt = null;
        foreach (var (at, line) in lines)
        {
            if (AssignedLine().Match(line) is { Success: true } a)
            {
                assigned.UnionWith(a.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
                if (assignedAt is null && victimPartitions.IsSubsetOf(assigned))
                {
                    assignedAt = (at - killedAt).TotalSeconds;
                }
            }
            else if (TakenOverLine().Match(line) is { Success: true } t)
            {
                takenOver.Add(int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture));
                if (takenOverAt is null && victimPartitions.IsSubsetOf(takenOver))
                {
                    takenOverAt = (at - killedAt).TotalSeconds;
                }
            }
        }

        return (assignedAt, takenOverAt);
    }

    private static long LeaseRenewalsFailed(string metrics) =>
        LeaseRenewalsFailedCounter().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"\bAssigned ([\d, ]+)$")]
    private static partial Regex AssignedLine();

    [GeneratedRegex(@"\[(\d+)\]\]?\s+taken over")]
    private static partial Regex TakenOverLine();

    [GeneratedRegex(@"^cinematic_stream_lease_renewals_failed_total\{[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex LeaseRenewalsFailedCounter();
}
