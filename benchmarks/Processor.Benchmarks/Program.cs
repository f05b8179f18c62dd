using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Processor.Benchmarks;
using Confluent.Kafka;

// One run, one machine, every figure measured side by side (machines here are shared and noisy: compare ratios).
const int partitions = 12;
const int tenants = 200;
const int cap = 64;
var latency = TimeSpan.FromMilliseconds(200);
var scale = args.Length > 0 && double.TryParse(args[0], out var s) ? s : 1.0;
int Count(int n) => Math.Max(100, (int)(n * scale));

await using var bench = await BenchStack.StartAsync(partitions);
if (args is ["webhooks", ..])
{
    // benchmarks/run-webhooks.sh: provider-completion-to-outcome delay, polling against webhooks.
    await WebhookDelay.RunAsync(bench, args.Length > 1 && int.TryParse(args[1], out var requests) ? requests : 200);
    return;
}

bench.Simulators.Replicate.Latency = latency;
var ideal = Math.Min(tenants, cap) / latency.TotalSeconds;
Console.WriteLine($"Processor benchmark: {partitions} partitions, {tenants} tenants, cap C={cap}, provider latency L={latency.TotalMilliseconds} ms, {Environment.ProcessorCount} cores");

// (a) the processor.
var processorCount = Count(3000);
var processorRate = await MeasureProcessorAsync("proc", processorCount);

// (b) a plain partition-at-a-time consumer doing the same work.
var baselineCount = Count(1200);
var baselinePrefix = await bench.NewTopologyAsync("base");
await bench.PublishAsync(baselinePrefix, baselineCount, tenants);
double baselineRate;
using (var watcher = new OutputWatcher(bench.BootstrapServers, baselinePrefix + Topics.Completed))
using (var stop = new CancellationTokenSource())
{
    var run = Task.Run(() => Scenarios.RunPartitionAtATimeAsync(bench, baselinePrefix, cap, stop.Token));
    watcher.WaitFor(baselineCount, TimeSpan.FromMinutes(10));
    baselineRate = watcher.Rate;
    await stop.CancelAsync();
    await run;
}

// Overhead per request (end to end minus provider time) at half the ideal rate, open loop.
var overheadPrefix = await bench.NewTopologyAsync("ovh");
var overheadCount = Count(2400);
List<double> overheads, endToEnd, providerTimes;
await using (var app = await Scenarios.StartProcessorAsync(bench, overheadPrefix, cap))
{
    using (var warmup = new OutputWatcher(bench.BootstrapServers, overheadPrefix + Topics.Completed))
    {
        await bench.PublishAsync(overheadPrefix, 200, tenants);
        warmup.WaitFor(200, TimeSpan.FromMinutes(5));
    }

    using var watcher = new OutputWatcher(bench.BootstrapServers, overheadPrefix + Topics.Completed);
    await bench.PublishAsync(overheadPrefix, overheadCount, tenants, perSecond: ideal / 2);
    watcher.WaitFor(overheadCount, TimeSpan.FromMinutes(10));
    var deserializer = bench.Serdes.Deserializer<TransformationCompleted>();
    var completed = new List<TransformationCompleted>();
    foreach (var (_, record) in watcher.Arrivals)
    {
        completed.Add(await deserializer.DeserializeAsync(record.Message.Value, false, SerializationContext.Empty));
    }

    endToEnd = completed.Select(c => (c.OccurredAt - c.Request.OccurredAt).TotalMilliseconds).Order().ToList();
    providerTimes = completed.Select(c => (double)c.ProviderTimeMs).Order().ToList();
    overheads = completed.Select(c => (c.OccurredAt - c.Request.OccurredAt).TotalMilliseconds - c.ProviderTimeMs).Order().ToList();
    await app.StopAsync();
}

// An instant provider: the processor against a raw consume-produce copy of the same records.
bench.Simulators.Replicate.Latency = TimeSpan.Zero;
var instantCount = Count(5000);
var instantPrefix = await bench.NewTopologyAsync("inst");
await bench.PublishAsync(instantPrefix, instantCount, tenants);
double instantRate;
using (var watcher = new OutputWatcher(bench.BootstrapServers, instantPrefix + Topics.Completed, instantPrefix + Topics.Failed))
{
    await using var app = await Scenarios.StartProcessorAsync(bench, instantPrefix, cap);
    watcher.WaitFor(instantCount, TimeSpan.FromMinutes(10));
    instantRate = watcher.Rate;
    await app.StopAsync();
}

var copyTopic = instantPrefix + "copy";
bench.Stack.Kafka.CreateTopic(copyTopic, partitions, 3);
double copyRate;
using (var watcher = new OutputWatcher(bench.BootstrapServers, copyTopic))
using (var stop = new CancellationTokenSource())
{
    var run = Task.Run(() => Scenarios.RunRawCopy(bench, instantPrefix + Topics.Requested, copyTopic, instantPrefix + "copy", stop.Token));
    watcher.WaitFor(instantCount, TimeSpan.FromMinutes(10));
    copyRate = watcher.Rate;
    await stop.CancelAsync();
    await run;
}

Console.WriteLine();
Console.WriteLine($"| measure | value | target |");
Console.WriteLine($"|---|---|---|");
Console.WriteLine($"| (a) processor, completed/s ({processorCount} requests) | {processorRate:F1} | >= 90% of (c) |");
Console.WriteLine($"| (b) partition-at-a-time consumer, completed/s ({baselineCount} requests) | {baselineRate:F1} | |");
Console.WriteLine($"| (c) ideal min(tenants, C) / L | {ideal:F1} | |");
Console.WriteLine($"| (a) / (c) | {processorRate / ideal:P1} | >= 90% |");
Console.WriteLine($"| (a) / (b) | {processorRate / baselineRate:F1}x | |");
Console.WriteLine($"| overhead at {ideal / 2:F0}/s: end to end minus provider time, p50 / p99 ms ({overheadCount} requests) | {Percentile(overheads, 0.5):F1} / {Percentile(overheads, 0.99):F1} | p99 < 50 ms |");
Console.WriteLine($"| end to end at {ideal / 2:F0}/s, p50 / p99 ms | {Percentile(endToEnd, 0.5):F1} / {Percentile(endToEnd, 0.99):F1} | |");
// What a slot is held per request beyond L: the simulator's answer and the journal writes around the provider call.
Console.WriteLine($"| provider time per request (L plus journal writes), p50 ms | {Percentile(providerTimes, 0.5):F1} | |");
Console.WriteLine($"| instant provider: processor, requests/s ({instantCount} requests) | {instantRate:F1} | |");
Console.WriteLine($"| instant provider: raw consume-produce copy, records/s | {copyRate:F1} | |");
Console.WriteLine($"| processor / raw copy | {instantRate / copyRate:P1} | >= 50% |");
return;

async Task<double> MeasureProcessorAsync(string scenario, int count)
{
    var prefix = await bench.NewTopologyAsync(scenario);
    await bench.PublishAsync(prefix, count, tenants);
    using var watcher = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed, prefix + Topics.Failed);
    await using var app = await Scenarios.StartProcessorAsync(bench, prefix, cap);
    watcher.WaitFor(count, TimeSpan.FromMinutes(10));
    await app.StopAsync();
    return watcher.Rate;
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
