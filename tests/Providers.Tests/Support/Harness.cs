using System.Collections.Concurrent;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>
/// The library as the processor wires it (AddProviders over configuration) pointed at the simulators, with short
/// timings, every log captured at Trace level, and an in-memory journal.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly ServiceProvider services;

    /// <param name="keepState">Keep the simulators' jobs: a second worker resuming what a first one started.</param>
    public Harness(ProviderSimulators simulators, IDictionary<string, string?>? overrides = null, bool keepState = false)
    {
        if (!keepState)
        {
            simulators.Reset();
            foreach (var simulator in simulators.All)
            {
                simulator.Latency = TimeSpan.FromMilliseconds(150);
            }
        }

        var settings = new Dictionary<string, string?>(simulators.ProviderConfiguration())
        {
            ["Providers:Replicate:PollIntervalMs"] = "50",
            ["Providers:Replicate:TimeoutMs"] = "10000",
            ["Providers:Replicate:PreferWaitSeconds"] = "1",
            ["Providers:Replicate:RequestTimeoutMs"] = "10000",
            ["Providers:Replicate:ResumeLookupGraceMs"] = "0",
            ["Providers:Runway:PollIntervalMs"] = "50",
            ["Providers:Runway:TimeoutMs"] = "10000",
            ["Providers:Leonardo:PollIntervalMs"] = "50",
            ["Providers:Leonardo:TimeoutMs"] = "10000",
            ["Providers:Leonardo:ResumeLookupGraceMs"] = "0",
        };
        // Development allowance of the SSRF guard: the simulators serve sample media on loopback.
        var origins = simulators.All.Select(s => s.Origin.GetLeftPart(UriPartial.Authority)).ToList();
        for (var i = 0; i < origins.Count; i++)
        {
            settings[$"Providers:MediaFetch:LoopbackOrigins:{i}"] = origins[i];
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs))
            .AddProviders(Configuration)
            .BuildServiceProvider();
        Runner = services.GetRequiredService<IGenerationRunner>();
    }

    public IConfiguration Configuration { get; }

    public IGenerationRunner Runner { get; }

    /// <summary>A service of the library as wired (the webhook checks, the doorbell).</summary>
    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    public LogCapture Logs { get; } = new();

    public MemoryJournal Journal { get; } = new();

    public Task<GenerationOutcome> RunAsync(GenerationRequest request, IReadOnlyList<JobCheckpoint>? resumeFrom = null) =>
        Runner.RunAsync(request, resumeFrom ?? [], Journal, CancellationToken.None);

    public async ValueTask DisposeAsync() => await services.DisposeAsync();
}

/// <summary>The journal the processor would keep durable: here, a list.</summary>
public sealed class MemoryJournal : IJobJournal
{
    private readonly ConcurrentQueue<JobCheckpoint> entries = new();

    public IReadOnlyList<JobCheckpoint> Entries => [.. entries];

    public ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        entries.Enqueue(checkpoint);
        return ValueTask.CompletedTask;
    }

    public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}

/// <summary>A journal whose worker dies right after a job's Started checkpoint is durable.</summary>
public sealed class CrashAfterStarted : IJobJournal
{
    private readonly ConcurrentQueue<JobCheckpoint> entries = new();

    public IReadOnlyList<JobCheckpoint> Entries => [.. entries];

    public ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        entries.Enqueue(checkpoint);
        return checkpoint.State == JobState.Started ? throw new OperationCanceledException("worker crashed") : ValueTask.CompletedTask;
    }

    public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
