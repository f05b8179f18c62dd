using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>The simulators' control API over HTTP (as other processes use it), prompt markers, and the concurrency limit.</summary>
[Trait("Category", "Stack")]
public sealed class SimulatorControlTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>, IDisposable
{
    private readonly HttpClient http = new();

    [Fact]
    public async Task Faults_latency_and_the_job_record_are_driven_over_HTTP()
    {
        await using var harness = new Harness(fixture.Simulators);
        var origin = fixture.Simulators.Replicate.Origin;
        var description = Requests.Unique("a knight whose job is recorded");

        using var fault = await http.PostAsJsonAsync(new Uri(origin, "_sim/faults"), new { kind = "InsufficientCredits", count = 1 });
        using var latency = await http.PutAsJsonAsync(new Uri(origin, "_sim/latency"), new { milliseconds = 50 });
        var refused = await harness.RunAsync(Requests.Image(description));
        var served = await harness.RunAsync(Requests.Image(description));
        var jobs = (await http.GetFromJsonAsync<JsonArray>(new Uri(origin, "_sim/jobs")))!;

        Assert.Equal(HttpStatusCode.Created, fault.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, latency.StatusCode);
        Assert.Equal(ProviderErrorCode.QuotaExceeded, refused.Failure!.Code);
        Assert.True(served.Succeeded, served.Failure?.Message);
        var job = Assert.Single(jobs);
        Assert.Contains(description, job!["prompt"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("black-forest-labs/flux-dev", job["model"]!.GetValue<string>());
        Assert.True(job["inputBytes"]!.GetValue<long>() > 0);
        Assert.NotNull(job["endedAt"]);
        Assert.Equal("Succeeded", job["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_prompt_marker_targets_one_request_only()
    {
        await using var harness = new Harness(fixture.Simulators);

        var marked = await harness.RunAsync(Requests.Image("a knight in a castle [sim:content_policy]"));
        var plain = await harness.RunAsync(Requests.Image("a knight in a castle"));

        Assert.Equal(ProviderErrorCode.InputValidation, marked.Failure!.Code);
        Assert.True(plain.Succeeded, plain.Failure?.Message);
    }

    [Fact]
    public async Task A_fault_rate_fails_some_calls_and_spares_others()
    {
        await using var harness = new Harness(fixture.Simulators, new Dictionary<string, string?> { ["Providers:Replicate:CircuitBreaker:MinimumThroughput"] = "1000" });
        fixture.Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.ServerError, Rate: 0.5));

        var outcomes = new List<GenerationOutcome>();
        for (var i = 0; i < 30; i++)
        {
            outcomes.Add(await harness.RunAsync(Requests.Image()));
        }

        Assert.Contains(outcomes, o => o.Succeeded);
        Assert.Contains(outcomes, o => o.Failure?.HttpStatus == 500);
    }

    [Fact]
    public async Task Runway_jobs_of_different_requests_never_overlap_at_the_default_concurrency_of_one()
    {
        await using var harness = new Harness(fixture.Simulators);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => harness.RunAsync(Requests.ImageToVideo())));

        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Failure?.Message));
        var jobs = fixture.Simulators.Runway.Jobs.OrderBy(j => j.CreatedAt).ToList();
        Assert.Equal(3, jobs.Count);
        for (var i = 1; i < jobs.Count; i++)
        {
            Assert.True(jobs[i].CreatedAt >= jobs[i - 1].EndedAt, $"job {i} started while job {i - 1} was in flight");
        }
    }

    public void Dispose() => http.Dispose();
}
