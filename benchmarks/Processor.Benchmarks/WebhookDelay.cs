using System.Security.Cryptography;
using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest;
using Confluent.Kafka;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>
/// The delay from a provider job's end (the simulator's clock, which is this machine's) to its request's outcome (the completed
/// event's publication, after the processor's decision is durable), with Replicate polled at its regular interval and with webhooks (the simulator calls Ingest's
/// /webhooks/replicate, Ingest writes the doorbell to Kafka, the processor reads the job once), in one run, same load.
/// </summary>
internal static class WebhookDelay
{
    private const int Tenants = 50;
    private const int PollIntervalMs = 1_000;

    public static async Task RunAsync(BenchStack bench, int count)
    {
        bench.Simulators.Replicate.Webhooks.AcceptLoopback = true;
        Console.WriteLine($"Webhook benchmark: {count} requests per mode over {Tenants} tenants, provider jobs of 2-3 s, " +
                          $"polling every {PollIntervalMs} ms; {Environment.ProcessorCount} cores");

        var polled = await MeasureAsync(bench, "poll", count, webhooks: false);
        var hooked = await MeasureAsync(bench, "hook", count, webhooks: true);

        Console.WriteLine();
        Console.WriteLine("| mode | job end to outcome, p50 / p90 / p99 ms | provider reads per job |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| polling every {PollIntervalMs} ms (baseline) | {polled.Describe()} | {polled.ReadsPerJob:F2} |");
        Console.WriteLine($"| webhooks (safety net 30 s) | {hooked.Describe()} | {hooked.ReadsPerJob:F2} |");
        Console.WriteLine($"| webhooks / polling, p50 | {hooked.Percentile(0.5) / polled.Percentile(0.5):P1} | |");
    }

    private sealed record Figures(List<double> Delays, double ReadsPerJob)
    {
        public double Percentile(double p) => Delays.Count == 0 ? double.NaN : Delays[(int)Math.Min(Delays.Count - 1, Math.Floor(p * Delays.Count))];

        public string Describe() => $"{Percentile(0.5):F0} / {Percentile(0.9):F0} / {Percentile(0.99):F0}";
    }

    private static async Task<Figures> MeasureAsync(BenchStack bench, string mode, int count, bool webhooks)
    {
        bench.Simulators.Reset();
        var prefix = await bench.NewTopologyAsync(mode);
        var port = FreePort();
        var settings = new Dictionary<string, string>
        {
            ["Providers:Replicate:PollIntervalMs"] = PollIntervalMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Asynchronous creates: a create held by "Prefer: wait" would itself bring the outcome of a short job.
            ["Providers:Replicate:PreferWaitSeconds"] = "0",
            ["Providers:Replicate:Webhook:Enabled"] = webhooks ? "true" : "false",
            ["Providers:Replicate:Webhook:Url"] = $"http://127.0.0.1:{port}/webhooks/replicate",
            ["Providers:Replicate:Webhook:Secret"] = bench.Simulators.Replicate.WebhookSecret,
        };
        await using var ingest = await StartIngestAsync(bench, prefix, port, settings);
        using var watcher = new OutputWatcher(bench.BootstrapServers, prefix + Topics.Completed);
        await using var processor = await Scenarios.StartProcessorAsync(bench, prefix, 64, settings);
        using var varying = new CancellationTokenSource();
        var durations = VaryDurationsAsync(bench, varying.Token);
        await bench.PublishAsync(prefix, count, BenchStack.Tenants(Tenants), perSecond: 20);
        watcher.WaitFor(count, TimeSpan.FromMinutes(3));
        await varying.CancelAsync();
        await durations;
        await processor.StopAsync();
        await ingest.StopAsync();

        var jobs = bench.Simulators.Replicate.Jobs.ToDictionary(j => j.Id);
        var deserializer = bench.Serdes.Deserializer<TransformationCompleted>();
        var delays = new List<double>();
        foreach (var output in watcher.Completions)
        {
            var completed = await deserializer.DeserializeAsync(output.Record.Message.Value, false, SerializationContext.Empty);
            var ended = jobs[completed.ProviderJobIds.Single()].EndedAt!.Value;
            delays.Add((output.PublishedAt - ended).TotalMilliseconds);
        }

        var reads = bench.Simulators.Replicate.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/predictions/", StringComparison.Ordinal));
        return new Figures([.. delays.Order()], (double)reads / jobs.Count);
    }

    /// <summary>
    /// Job durations spread over one poll interval (2-3 s), as real jobs vary: a fixed duration would put every job's end at the
    /// same point between two polls, and the polling figure would depend on that point.
    /// </summary>
    private static async Task VaryDurationsAsync(BenchStack bench, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            bench.Simulators.Replicate.Latency = TimeSpan.FromMilliseconds(2_000 + Random.Shared.Next(PollIntervalMs));
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                // The measurement is over.
            }
        }
    }

    /// <summary>Ingest in this process, as the dev stack configures it, for the webhook endpoint.</summary>
    private static async Task<WebApplication> StartIngestAsync(BenchStack bench, string prefix, int port, Dictionary<string, string> webhooks)
    {
        var settings = Scenarios.ProcessorSettings(bench, prefix, 64, webhooks);
        settings.Remove("Processor:Stream:GroupId");
        settings.Remove("Processor:Stream:MaxInFlight");
        settings.Remove("Processor:Stream:LaneLimits:Replicate");
        settings["Urls"] = $"http://127.0.0.1:{port}";
        settings["Ingest:Tenants:0:TenantId"] = "bench";
        settings["Ingest:Tenants:0:ApiKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("bench-key")));
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddIngest();
        var app = builder.Build();
        app.MapIngest();
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
