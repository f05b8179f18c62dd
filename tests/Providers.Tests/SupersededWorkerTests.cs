using System.Collections.Concurrent;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// A worker that loses a request after journaling a job's intent (its partition went to another member while it was
/// frozen or waiting for a rate-limit token) must not send the create call: its successor looks the job up, finds none,
/// and creates it.
/// </summary>
[Trait("Category", "Stack")]
public sealed class SupersededWorkerTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    public static TheoryData<string> Kinds => ["image", "video"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_worker_superseded_after_the_intent_sends_no_create_call(string kind)
    {
        await using var harness = new Harness(fixture.Simulators);
        var journal = new SupersededAfterIntent();
        var request = kind == "image" ? Requests.Image() : Requests.TextToVideo();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Runner.RunAsync(request, [], journal, CancellationToken.None));

        Assert.Equal([JobState.Starting], journal.Entries.Select(e => e.State));
        Assert.All(fixture.Simulators.All, simulator => Assert.Empty(simulator.Jobs));
    }

    /// <summary>Current until the first intent is durable, superseded from then on.</summary>
    private sealed class SupersededAfterIntent : IJobJournal
    {
        private readonly ConcurrentQueue<JobCheckpoint> entries = new();

        public IReadOnlyList<JobCheckpoint> Entries => [.. entries];

        public ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            entries.Enqueue(checkpoint);
            return ValueTask.CompletedTask;
        }

        public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) =>
            entries.Any(e => e.State == JobState.Starting) ? throw new OperationCanceledException("superseded") : ValueTask.CompletedTask;
    }
}
