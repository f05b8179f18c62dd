using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// A processor frozen (SIGSTOP: a long GC pause, a frozen VM) past its session while it has provider jobs in flight,
/// and resumed after its successor took its partitions over and finished their requests: it publishes nothing more and
/// starts no provider job, because its leases expired while it was frozen and are never renewed.
/// </summary>
[Trait("Category", "Stack")]
public sealed class FencingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_processor_paused_past_its_session_does_nothing_more_once_its_successor_took_over()
    {
        const int requests = 60;
        await using var bed = await PipelineTestbed.StartAsync("paused", partitions: 4, latencyMs: 3000);
        var published = await CrashAndRebalanceTests.PublishAsync(bed, requests, tenants: 30);

        var first = bed.StartProcessor("processor-1");
        await bed.Simulators.Replicate.WaitForJobsAsync(20, TimeSpan.FromMinutes(2));
        first.Pause();
        output.WriteLine($"paused processor-1 with {bed.Simulators.Replicate.Jobs.Count} jobs created");

        bed.StartProcessor("processor-2");
        await bed.OutcomesAsync(requests, TimeSpan.FromMinutes(3));
        first.Resume();
        // Once it has learnt it lost its partitions, nothing of its own can be done any more: whatever it tried came before.
        await bed.WaitForLogAsync("processor-1 |", "Lost", TimeSpan.FromMinutes(1));
        var outcomes = await bed.OutcomesAsync(requests, TimeSpan.FromSeconds(5));

        output.WriteLine($"{outcomes.Completed.Count} completed ({outcomes.Copies} identical copies), {bed.Simulators.Replicate.Jobs.Count} provider jobs");
        CrashAndRebalanceTests.AssertExactlyOnce(bed, published, outcomes);
    }
}
