using System.Collections.Concurrent;
using CinematicSwitch.Providers.Simulators;
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

    public CapturingLoggerProvider Logs { get; } = new();

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
}

/// <summary>Keeps every log entry: formatted message, state values and exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> entries = new();

    public IReadOnlyList<string> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
