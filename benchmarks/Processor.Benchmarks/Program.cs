using System.Globalization;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Processor.Benchmarks;
using CinematicSwitch.Streaming.Embedded;
using Confluent.Kafka;

// One run, one machine, every figure beside its target and a baseline measured in the same run (machines here are
// shared and noisy: compare ratios). Arguments: a scale for the request counts (e.g. 0.3), or --quick (0.3 and shorter
// failover windows); and optionally which parts to run: throughput, scale, failover (all by default), or instant (the
// throughput part's instant-provider step alone). Or `webhooks [requests]` alone: a provider job's end to its outcome,
// polling against webhooks (benchmarks/run-webhooks.sh).
const int partitions = 12;
const int cap = 64;
// The share of a backlog's outputs counted as the processor's start (the rest is its rate once started).
const double startShare = 0.05;
var quick = args.Contains("--quick");
var scale = quick ? 0.3 : args.Select(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : (double?)null)
    .FirstOrDefault(v => v is not null) ?? 1.0;
string[] parts = ["throughput", "scale", "failover", "instant"];
var chosen = args.Intersect(parts).ToHashSet();
bool Runs(string part) => chosen.Count == 0 || chosen.Contains(part);
int Count(int n) => Math.Max(100, (int)(n * scale));

var rows = new List<(string Measure, string Value, string Target, string Baseline)>();
var loadAtStart = LoadAverage();
await using var bench = await BenchStack.StartAsync(partitions);
if (args is ["webhooks", ..])
{
    await WebhookDelay.RunAsync(bench, args.Length > 1 && int.TryParse(args[1], out var requests) ? requests : 200);
    return;
}

if (Runs("throughput"))
{
    await ThroughputAsync();
}

// The instant-provider step of the throughput part on its own (a short look at the runtime's own cost per request).
if (chosen.Contains("instant") && !Runs("throughput"))
{
    await InstantAsync();
}

if (Runs("scale"))
{
    await ScaleOutAsync();
}

if (Runs("failover"))
{
    await FailoverAsync();
}

Console.WriteLine();
Console.WriteLine($"Processor benchmark, scale {scale}{(quick ? " (--quick)" : "")}: {partitions} partitions, {Environment.ProcessorCount} cores, " +
    $"load average {loadAtStart} at the start, {LoadAverage()} at the end");
Console.WriteLine();
Console.WriteLine("| measure | value | target | baseline, same run |");
Console.WriteLine("|---|---|---|---|");
foreach (var (measure, value, target, baseline) in rows)
{
    Console.WriteLine($"| {measure} | {value} | {target} | {baseline} |");
}

return;

// Where the run is, on standard error (the figures come at the end, on standard output).
static void Progress(string step) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {step}");

// The processor in this process at L = 200 ms, 200 tenants, cap 64, against a partition-at-a-time consumer, the ideal
// bound and, for its overhead and its speed with an instant provider, a raw consume-produce copy.
async Task ThroughputAsync()
{
    var tenants = BenchStack.Tenants(200);
    var latency = TimeSpan.FromMilliseconds(200);
    bench.Simulators.Replicate.Latency = latency;
    var ideal = Math.Min(tenants.Count, cap) / latency.TotalSeconds;

    // (a) the processor, on a backlog.
    var processorCount = Count(3000);
    Progress($"(a) the processor on a backlog of {processorCount}");
    var processor = await MeasureProcessorAsync("proc", processorCount, tenants);
    var processorRate = processor.Rate;

    // (b) a plain partition-at-a-time consumer doing the same work.
    var baselineCount = Count(1200);
    var baselinePrefix = await bench.NewTopologyAsync("base");
    await bench.PublishAsync(baselinePrefix, baselineCount, tenants);
    double baselineRate;
    using (var watcher = new OutputWatcher(bench.BootstrapServers, baselinePrefix + Topics.Completed))
    using (var stop = new CancellationTokenSource())
    {
        Progress($"(b) a partition-at-a-time consumer on {baselineCount}");
        var run = Task.Run(() => Scenarios.RunPartitionAtATimeAsync(bench, baselinePrefix, cap, stop.Token));
        watcher.WaitFor(baselineCount, TimeSpan.FromMinutes(10));
        baselineRate = watcher.Rate;
        await stop.CancelAsync();
        await run;
    }

    rows.Add(($"(a) processor, completed/s ({processorCount} requests, {tenants.Count} tenants, L = {latency.TotalMilliseconds} ms, C = {cap})",
        $"{processorRate:F1}", "", $"(b) {baselineRate:F1}/s, (c) {ideal:F1}/s"));
    rows.Add(($"(b) partition-at-a-time consumer, completed/s ({baselineCount} requests)", $"{baselineRate:F1}", "", ""));
    rows.Add(("(c) ideal min(tenants, C) / L", $"{ideal:F1}", "", ""));
    rows.Add(("(a) / (c)", $"{processorRate / ideal:P1}", Target("≥ 97 %", processorRate / ideal >= 0.97),
        $"once started (after its first {startShare:P0} of outputs): {processor.RateStarted:F1}/s = {processor.RateStarted / ideal:P1}; CPU {processor.Cores:F2} cores"));
    rows.Add(("(a) / (b)", $"{processorRate / baselineRate:F1}×", "", ""));
    // What a slot is held for: L, the Starting entry made durable before the call, and the call's own overhead.
    var slotBound = cap / (P(processor.ProviderTimes, 0.5) / 1000);
    rows.Add(("(a)'s provider time per request p50 / p99 ms, and the bound it leaves: C / provider time p50",
        $"{P(processor.ProviderTimes, 0.5):F0} / {P(processor.ProviderTimes, 0.99):F0} ms; {slotBound:F1}/s = {slotBound / ideal:P1} of (c)", "",
        $"(a) = {processorRate / slotBound:P1} of it"));
    rows.Add(("of which the Starting entry made durable before the call, p50 / p99 ms", Percentiles(processor.JournalWrites), "", ""));

    // Overhead per request at half the ideal rate, open loop: from a request's publication to its output's publication
    // (after the decision is durable), less the time the handler spent with the provider.
    var rate = ideal / 2;
    var overheadCount = Count(2400);
    var overheadPrefix = await bench.NewTopologyAsync("ovh");
    List<double> overheads, afterHandler, endToEnd, providerTimes;
    Progress($"overhead at {rate:F0}/s over {overheadCount} requests");
    await using (var app = await Scenarios.StartProcessorAsync(bench, overheadPrefix, cap))
    {
        using (var warmup = new OutputWatcher(bench.BootstrapServers, overheadPrefix + Topics.Completed))
        {
            await bench.PublishAsync(overheadPrefix, 200, tenants);
            warmup.WaitFor(200, TimeSpan.FromMinutes(5));
        }

        using var watcher = new OutputWatcher(bench.BootstrapServers, overheadPrefix + Topics.Completed);
        await bench.PublishAsync(overheadPrefix, overheadCount, tenants, rate);
        watcher.WaitFor(overheadCount, TimeSpan.FromMinutes(10));
        var completed = new List<(Completion Output, TransformationCompleted Event)>();
        foreach (var output in watcher.Completions)
        {
            completed.Add((output, await Decode<TransformationCompleted>(output)));
        }

        endToEnd = Sorted(completed.Select(c => (c.Output.PublishedAt - c.Event.Request.OccurredAt).TotalMilliseconds));
        providerTimes = Sorted(completed.Select(c => (double)c.Event.ProviderTimeMs));
        overheads = Sorted(completed.Select(c => (c.Output.PublishedAt - c.Event.Request.OccurredAt).TotalMilliseconds - c.Event.ProviderTimeMs));
        afterHandler = Sorted(completed.Select(c => (c.Output.PublishedAt - c.Event.OccurredAt).TotalMilliseconds));
        await app.StopAsync();
    }

    // The floor of those figures: one consume and one produce of the same records at the same rate.
    var hopPrefix = await bench.NewTopologyAsync("hop");
    var hopTopic = hopPrefix + "copy";
    bench.Stack.Kafka.CreateTopic(hopTopic, partitions, 3);
    List<double> hops;
    using (var stop = new CancellationTokenSource())
    {
        Progress("the raw copy's hop");
        var run = Task.Run(() => Scenarios.RunRawCopy(bench, hopPrefix + Topics.Requested, hopTopic, stop.Token));
        using (var warmup = new OutputWatcher(bench.BootstrapServers, hopTopic))
        {
            await bench.PublishAsync(hopPrefix, 200, tenants);
            warmup.WaitFor(200, TimeSpan.FromMinutes(1));
        }

        using var watcher = new OutputWatcher(bench.BootstrapServers, hopTopic);
        await bench.PublishAsync(hopPrefix, overheadCount, tenants, rate);
        watcher.WaitFor(overheadCount, TimeSpan.FromMinutes(5));
        await stop.CancelAsync();
        await run;
        var copied = new List<double>();
        foreach (var output in watcher.Completions)
        {
            copied.Add((output.PublishedAt - (await Decode<TransformationRequested>(output)).OccurredAt).TotalMilliseconds);
        }

        hops = Sorted(copied);
    }

    rows.Add(($"overhead at {rate:F0}/s: output published − request published − provider time, p50 / p99 ms ({overheadCount} requests)",
        $"{P(overheads, 0.5):F1} / {P(overheads, 0.99):F1}", Target("p99 ≤ 15 ms", P(overheads, 0.99) <= 15),
        $"raw copy at {rate:F0}/s, publish to copy: {P(hops, 0.5):F1} / {P(hops, 0.99):F1}"));
    rows.Add(("of which after the handler returned (decision written, output relayed), p50 / p99 ms",
        $"{P(afterHandler, 0.5):F1} / {P(afterHandler, 0.99):F1}", "", ""));
    rows.Add(($"end to end at {rate:F0}/s, p50 / p99 ms", $"{P(endToEnd, 0.5):F1} / {P(endToEnd, 0.99):F1}", "", ""));
    rows.Add(("provider time per request (journal write, provider call), p50 / p99 ms", $"{P(providerTimes, 0.5):F1} / {P(providerTimes, 0.99):F1}", "",
        $"L = {latency.TotalMilliseconds} ms"));

    await InstantAsync();
}

async Task InstantAsync()
{
    var tenants = BenchStack.Tenants(200);
    // An instant provider: the processor against a raw consume-produce copy of the same records.
    bench.Simulators.Replicate.Latency = TimeSpan.Zero;
    var instantCount = Count(20000);
    var instantPrefix = await bench.NewTopologyAsync("inst");
    await bench.PublishAsync(instantPrefix, instantCount, tenants);
    Progress($"an instant provider over {instantCount} requests, then a raw copy");
    var instant = await RunProcessorOnAsync(instantPrefix, instantCount);
    var instantRate = instant.Rate;
    var copyTopic = instantPrefix + "copy";
    bench.Stack.Kafka.CreateTopic(copyTopic, partitions, 3);
    double copyRate;
    using (var watcher = new OutputWatcher(bench.BootstrapServers, copyTopic))
    using (var stop = new CancellationTokenSource())
    {
        var run = Task.Run(() => Scenarios.RunRawCopy(bench, instantPrefix + Topics.Requested, copyTopic, stop.Token));
        watcher.WaitFor(instantCount, TimeSpan.FromMinutes(10));
        copyRate = watcher.Rate;
        await stop.CancelAsync();
        await run;
    }

    rows.Add(($"instant provider (L = 0): processor, requests/s ({instantCount} requests)", $"{instantRate:F0}", Target("≥ 10,000/s", instantRate >= 10_000),
        $"raw consume-produce copy {copyRate:F0}/s ({instantRate / copyRate:P1}); once started {instant.RateStarted:F0}/s; CPU {instant.Cores:F2} cores (all in this process)"));
    rows.Add(("instant provider: provider time (Starting entry durable, then the call) p50 / p99 ms", Percentiles(instant.ProviderTimes), "",
        $"C / provider time p50 = {cap / (P(instant.ProviderTimes, 0.5) / 1000):F0}/s"));
    rows.Add(("of which the Starting entry made durable, p50 / p99 ms", Percentiles(instant.JournalWrites), "", ""));
    rows.Add(("instant provider: after the handler returned (decision durable, output relayed), p50 / p99 ms", Percentiles(instant.AfterHandler), "", ""));
}

// 1, 2 and 4 processor processes in one group, each capped, on a provider-bound backlog spread evenly over the partitions.
async Task ScaleOutAsync()
{
    const int perInstance = 16;
    var latency = TimeSpan.FromMilliseconds(300);
    bench.Simulators.Replicate.Latency = latency;
    var tenants = bench.BalancedTenants(20);
    var results = new List<ScaleOutResult>();
    foreach (var instances in new[] { 1, 2, 4 })
    {
        Progress($"scale-out: {instances} processor process(es)");
        results.Add(await ScaleOut.MeasureAsync(bench, instances, perInstance, tenants, Count(1000) * instances));
    }

    var single = results[0].Rate;
    foreach (var result in results)
    {
        var ideal = result.Instances * perInstance / latency.TotalSeconds;
        rows.Add(($"scale-out: {result.Instances} instance(s) (processes; partitions {result.Partitions}), completed/s ({result.Requests} requests, " +
                $"{tenants.Count} tenants, L = {latency.TotalMilliseconds} ms, C = {perInstance} per instance)",
            $"{result.Rate:F1}", result.Instances == 1 ? "" : Target("≥ 0.95 × linear", result.Rate / (result.Instances * single) >= 0.95),
            $"ideal N·C/L {ideal:F1}/s ({result.Rate / ideal:P1}); instances {result.PerInstance.Min:F1}–{result.PerInstance.Max:F1}/s each; CPU in cores, processors / bench process: {result.ProcessorCores:F2} " +
            $"({result.InstanceCores.Min:F2}–{result.InstanceCores.Max:F2} each) / {result.BenchCores:F2}, idle {result.IdleCores.Processors:F2} / {result.IdleCores.Bench:F2}"));
        if (result.Instances > 1)
        {
            rows.Add(($"scale-out: {result.Instances} instances / ({result.Instances} × 1 instance)", $"{result.Rate / (result.Instances * single):F3}",
                Target("≥ 0.95", result.Rate / (result.Instances * single) >= 0.95), $"1 instance {single:F1}/s"));
        }
    }
}

// SIGKILL of one of two processor processes under a steady open-loop load, for each group protocol.
async Task FailoverAsync()
{
    const int perInstance = 32;
    const double perSecond = 60;
    bench.Simulators.Replicate.Latency = TimeSpan.FromMilliseconds(200);
    var tenants = bench.BalancedTenants(20);
    var (before, after) = quick ? (TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(16)) : (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
    async Task<FailoverResult> Measure(FailoverSetting setting)
    {
        Progress($"failover: {setting.Name}");
        var result = await Failover.MeasureAsync(bench, setting, perInstance, tenants, perSecond, before, after);
        // The target's measure: from the SIGKILL until the killed instance's partitions make progress again (each has
        // published an output); the longest gap also counts the load's own spacing before the kill.
        rows.Add(($"failover, {setting.Name}: SIGKILL → every partition of the killed instance published again, s " +
                $"(2 processes, {perSecond}/s open loop, C = {perInstance} each)",
            result.Resumed is { } r ? $"{r:F2}" : "never moved again", Target("≤ 5 s", result.Resumed <= 5),
            $"longest gap in those partitions' outputs {Seconds(result.VictimGap)} s (before the kill {result.SteadyGap:F2} s); survivor's own partitions {result.SurvivorGap:F2} s"));
        rows.Add(($"… {setting.Name}: kill → survivor assigned them → taken over (its log), s", $"{Seconds(result.Assigned)} → {Seconds(result.TakenOver)}", "", ""));
        rows.Add(($"… {setting.Name}: requests completed / published; copies relayed again; survivor's lease renewals refused",
            $"{result.Completed} / {result.Published}; {result.Copies}; {result.LeaseRenewalsFailed}", "", ""));
        return result;
    }

    // KIP-848 with the embedded brokers' session and heartbeat (the consumers state them: their leases derive from them).
    await Measure(new FailoverSetting(
        $"KIP-848, broker session {EmbeddedKafka.ConsumerGroupSessionTimeoutMs / 1000.0:0.#} s, heartbeat {EmbeddedKafka.ConsumerGroupHeartbeatIntervalMs / 1000.0:0.#} s",
        EmbeddedKafka.ConsumerGroupSettings));
    // Classic with the embedded stack's session (heartbeats every fifth of it), then a session as short as KIP-848's: the
    // embedded classic coordinator waits a session less 1 s for the survivor to rejoin before it assigns anything.
    var classic = await Measure(new FailoverSetting("classic cooperative, session 6 s",
        new Dictionary<string, string> { ["Kafka:SessionTimeoutMs"] = "6000" }));
    if (!(classic.Resumed <= 5))
    {
        await Measure(new FailoverSetting("classic cooperative, session 3 s",
            new Dictionary<string, string> { ["Kafka:SessionTimeoutMs"] = "3000" }));
    }
}

async Task<ProcessorRun> MeasureProcessorAsync(string scenario, int count, IReadOnlyList<string> tenants)
{
    var prefix = await bench.NewTopologyAsync(scenario);
    await bench.PublishAsync(prefix, count, tenants);
    return await RunProcessorOnAsync(prefix, count);
}

// The processor started on a published backlog: outputs per second from its first to its last, and where each
// completed request's time went. The TransformationStarted a request's job announces is published once its Starting
// entry is durable: its timestamp less the intent's time (its OccurredAt) is how long that write took.
async Task<ProcessorRun> RunProcessorOnAsync(string prefix, int count)
{
    using var watcher = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed);
    using var announcements = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Started);
    await using (var app = await Scenarios.StartProcessorAsync(bench, prefix, cap))
    {
        watcher.WaitFor(count, TimeSpan.FromMinutes(10));
        await app.StopAsync();
    }

    var completed = watcher.Completions.Where(c => c.Record.Topic == prefix + Topics.Completed).ToList();
    announcements.WaitFor(completed.Count, TimeSpan.FromMinutes(1));
    var journalWrites = new Dictionary<string, double>(StringComparer.Ordinal);
    foreach (var announcement in announcements.Completions)
    {
        journalWrites[announcement.Identity] = (announcement.PublishedAt - (await Decode<TransformationStarted>(announcement)).OccurredAt).TotalMilliseconds;
    }

    var (providerTimes, journal, afterHandler) = (new List<double>(), new List<double>(), new List<double>());
    foreach (var output in completed)
    {
        var done = await Decode<TransformationCompleted>(output);
        providerTimes.Add(done.ProviderTimeMs);
        journal.Add(journalWrites[output.Identity]);
        afterHandler.Add((output.PublishedAt - done.OccurredAt).TotalMilliseconds);
    }

    return new ProcessorRun(watcher.Rate, watcher.RateAfter(startShare), watcher.ProcessCores, Sorted(providerTimes), Sorted(journal), Sorted(afterHandler));
}

async Task<T> Decode<T>(Completion output)
    where T : class, ICinematicEvent =>
    await bench.Serdes.Deserializer<T>().DeserializeAsync(output.Record.Message.Value, false, SerializationContext.Empty);

static List<double> Sorted(IEnumerable<double> values) => [.. values.Order()];

static double P(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

static string Percentiles(List<double> sorted) => $"{P(sorted, 0.5):F0} / {P(sorted, 0.99):F0}";

static string Target(string target, bool met) => $"{target}: {(met ? "met" : "**missed**")}";

static string Seconds(double? seconds) => seconds is { } s ? $"{s:F2}" : "not seen";

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

/// <param name="ProviderTimes">Per completed request, sorted: the handler's time with the provider (its Starting entry made durable, then the call).</param>
/// <param name="JournalWrites">Per completed request, sorted: how long its Starting entry took to be durable (part of its provider time).</param>
/// <param name="AfterHandler">Per completed request, sorted: from the handler's return to the output's publication (the decision made durable first).</param>
/// <param name="RateStarted">Completed per second once the first <c>startShare</c> of the outputs were out (a cold start's connections and first writes behind it).</param>
/// <param name="Cores">CPU this process (processor, embedded cluster, simulators, watcher) used from the first output to the last, in cores.</param>
internal sealed record ProcessorRun(double Rate, double RateStarted, double Cores, List<double> ProviderTimes, List<double> JournalWrites, List<double> AfterHandler);
