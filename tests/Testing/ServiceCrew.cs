using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Testing;

/// <summary>
/// A fixed number of instances of one stream service (processor or archiver), named kind-1, kind-2, ...: one killed is
/// replaced at once by a new instance, one paused is resumed, so that the crew is back at its size after each fault.
/// </summary>
public sealed class ServiceCrew
{
    /// <summary>The stream runtime's gauge of records admitted and not finished, as Prometheus scrapes it.</summary>
    private const string InFlightMetric = "cinematic_stream_in_flight";

    private readonly Func<string, IReadOnlyDictionary<string, string>, ServiceProcess> _start;
    private readonly List<RunningService> _running = [];
    private int _started;

    /// <param name="start">Starts an instance under the name it is given, with the settings it is given (where to listen).</param>
    public ServiceCrew(string kind, int size, Func<string, IReadOnlyDictionary<string, string>, ServiceProcess> start)
    {
        Kind = kind;
        _start = start;
        for (var i = 0; i < size; i++)
        {
            StartOne();
        }
    }

    public string Kind { get; }

    public int Kills { get; private set; }

    public int Pauses { get; private set; }

    /// <summary>Instances that should be running now; one that exited on its own is a finding.</summary>
    public IReadOnlyList<RunningService> Running => _running;

    /// <summary>SIGKILL to one instance chosen by <paramref name="random"/>, and its replacement started at once.</summary>
    public async Task<string> KillOneAsync(Random random)
    {
        var victim = _running[random.Next(_running.Count)];
        await victim.Process.KillAsync();
        _running.Remove(victim);
        var replacement = StartOne();
        Kills++;
        return $"SIGKILL {victim.Name}; {replacement.Name} started";
    }

    /// <summary>
    /// SIGSTOP to the instance with the most records in flight (waiting up to <paramref name="wait"/> for one to have
    /// any; then one chosen by <paramref name="random"/>), SIGCONT after <paramref name="duration"/>: the pause that
    /// hurts, with work in the middle of being done.
    /// </summary>
    public async Task<string> PauseBusiestAsync(Random random, TimeSpan duration, TimeSpan wait)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        (RunningService Instance, double InFlight)[] loads;
        do
        {
            loads = await Task.WhenAll(_running.Select(async r => (r, await InFlightAsync(r))));
            if (loads.Any(l => l.InFlight > 0))
            {
                break;
            }

            await Task.Delay(250);
        }
        while (waited.Elapsed < wait);

        var (victim, inFlight) = loads.Any(l => l.InFlight > 0) ? loads.MaxBy(l => l.InFlight) : loads[random.Next(loads.Length)];
        victim.Process.Pause();
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            victim.Process.Resume();
        }

        Pauses++;
        return $"SIGSTOP {victim.Name} with {inFlight} record(s) in flight, SIGCONT {duration.TotalSeconds:F1} s later";
    }

    private static async Task<double> InFlightAsync(RunningService instance)
    {
        try
        {
            return await instance.MetricAsync(InFlightMetric);
        }
        catch (HttpRequestException)
        {
            // Not listening yet (starting): nothing in flight.
            return 0;
        }
    }

    private RunningService StartOne()
    {
        var (settings, baseUrl) = RunningService.OnFreePort();
        var instance = new RunningService(_start($"{Kind}-{++_started}", settings), baseUrl);
        _running.Add(instance);
        return instance;
    }
}
