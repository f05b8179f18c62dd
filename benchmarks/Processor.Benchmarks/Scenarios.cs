using System.Threading.Channels;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Processor.Handling;
using CinematicSwitch.Providers;
using CinematicSwitch.ServiceDefaults;
using Confluent.Kafka;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>The systems under measurement.</summary>
internal static class Scenarios
{
    /// <summary>The processor service, in this process, configured as the dev stack configures it, for one topology prefix.</summary>
    /// <param name="overrides">Settings on top of the dev stack's (configuration keys, ':' separated).</param>
    public static async Task<WebApplication> StartProcessorAsync(BenchStack bench, string prefix, int maxInFlight,
        IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(ProcessorSettings(bench, prefix, maxInFlight, overrides));
        builder.AddServiceDefaults("processor");
        builder.AddProcessor();
        var app = builder.Build();
        app.UseServiceDefaults();
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// The baseline: one consumer, each partition's records handled one at a time (partitions in parallel),
    /// doing the same work (decode, run the provider job, publish the outcome) without the processor's runtime.
    /// </summary>
    public static async Task RunPartitionAtATimeAsync(BenchStack bench, string prefix, int maxInFlight, CancellationToken stop)
    {
        var services = new ServiceCollection().AddLogging()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(ProcessorSettings(bench, prefix, maxInFlight)).Build());
        services.AddProviders(services.BuildServiceProvider().GetRequiredService<IConfiguration>());
        await using var provider = services.BuildServiceProvider();
        var runner = provider.GetRequiredService<IGenerationRunner>();
        var deserializer = bench.Serdes.Deserializer<TransformationRequested>();
        var serializer = bench.Serdes.Serializer<TransformationCompleted>();
        var completedTopic = prefix + Topics.Completed;
        using var producer = bench.Producer();
        var lanes = new Dictionary<int, Channel<ConsumeResult<string, byte[]>>>();
        var workers = new List<Task>();

        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bench.BootstrapServers,
            GroupId = prefix + "baseline",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = 6000,
        }).Build();
        consumer.Subscribe(prefix + Topics.Requested);
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } record)
            {
                continue;
            }

            if (!lanes.TryGetValue(record.Partition.Value, out var lane))
            {
                lane = Channel.CreateUnbounded<ConsumeResult<string, byte[]>>();
                lanes[record.Partition.Value] = lane;
                workers.Add(Task.Run(() => WorkAsync(lane.Reader), CancellationToken.None));
            }

            lane.Writer.TryWrite(record);
        }

        foreach (var lane in lanes.Values)
        {
            lane.Writer.TryComplete();
        }

        consumer.Close();

        async Task WorkAsync(ChannelReader<ConsumeResult<string, byte[]>> records)
        {
            await foreach (var record in records.ReadAllAsync(CancellationToken.None))
            {
                var request = await deserializer.DeserializeAsync(record.Message.Value, false, SerializationContext.Empty);
                var media = new MediaInput(request.Media!.Uri, request.Media.ContentType, false);
                var outcome = await runner.RunAsync(GenerationRequest.From(request) with { Media = media }, [], new NoJournal(), CancellationToken.None);
                var completed = RequestMapping.Completed(request, outcome.Result!, DateTimeOffset.UtcNow);
                await producer.ProduceAsync(completedTopic, new Message<string, byte[]>
                {
                    Key = request.TenantId,
                    Value = await serializer.SerializeAsync(completed, completedTopic, CancellationToken.None),
                }, CancellationToken.None);
                consumer.StoreOffset(record);
            }
        }
    }

    /// <summary>
    /// A raw copy, the floor of one consume and one produce: every partition of <paramref name="source"/> read from its start
    /// (assigned, no group to join) and its records' bytes produced unchanged to <paramref name="target"/>.
    /// </summary>
    public static void RunRawCopy(BenchStack bench, string source, string target, CancellationToken stop)
    {
        // Batched as the processor batches its outputs, so that the copy's hop is the floor of the processor's.
        using var producer = bench.Producer(lingerMs: 1);
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bench.BootstrapServers,
            GroupId = "raw-copy",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 10,
        }).Build();
        consumer.Assign(Enumerable.Range(0, bench.Partitions).Select(p => new TopicPartitionOffset(source, p, Offset.Beginning)));
        while (!stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                producer.Produce(target, new Message<string, byte[]> { Key = record.Message.Key, Value = record.Message.Value });
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        consumer.Close();
    }

    /// <summary>
    /// The processor's configuration as the dev stack gives it, for one topology prefix, with a cap of <paramref name="maxInFlight"/>
    /// in flight and <paramref name="overrides"/> (configuration keys, ':' separated) on top.
    /// </summary>
    public static Dictionary<string, string?> ProcessorSettings(BenchStack bench, string prefix, int maxInFlight,
        IEnumerable<KeyValuePair<string, string>>? overrides = null)
    {
        var settings = bench.Stack.ServiceEnvironment().ToDictionary(kv => kv.Key.Replace("__", ":", StringComparison.Ordinal), kv => (string?)kv.Value);
        foreach (var (key, value) in bench.Simulators.ProviderConfiguration())
        {
            settings[key] = value;
        }

        var limit = maxInFlight.ToString();
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Kafka:TopicPrefix"] = prefix;
        settings["Processor:Stream:GroupId"] = prefix + "processor";
        settings["Processor:Stream:MaxInFlight"] = limit;
        settings["Processor:Stream:LaneLimits:Replicate"] = limit;
        settings["Providers:Replicate:MaxConcurrent"] = limit;
        settings["Providers:Replicate:PreferWaitSeconds"] = "1";
        settings["Providers:Replicate:PollIntervalMs"] = "50";
        // What is measured is the runtime, not Replicate's per-account budget (600 creates a minute, which the client keeps
        // to by default: 10 a second would bound every figure here).
        settings["Providers:Replicate:RateLimits:CreatesPerMinute"] = "6000000";
        settings["Providers:Replicate:RateLimits:OtherPerMinute"] = "6000000";
        // Per-request information logs would measure the console, not the processor.
        settings["Serilog:MinimumLevel:Default"] = "Warning";
        settings["Serilog:Using:0"] = "Serilog.Sinks.Console";
        settings["Serilog:WriteTo:0:Name"] = "Console";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    private sealed class NoJournal : IJobJournal
    {
        public ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
