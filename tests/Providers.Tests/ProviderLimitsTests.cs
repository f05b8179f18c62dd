using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// Rate limits by construction (request budgets, back-off, daily caps, THROTTLED, Cancel-After), seeds, Leonardo's cost and
/// init images, and the simulators' lifecycle details (outputs while processing, data removal after an hour, listings).
/// </summary>
[Trait("Category", "Stack")]
public sealed class ProviderLimitsTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private ProviderSimulators Simulators => fixture.Simulators;

    [Fact]
    public async Task Polls_are_held_to_the_providers_budget_however_often_the_runner_would_poll()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Runway:PollIntervalMs"] = "1",
            ["Providers:Runway:RateLimits:OtherPerMinute"] = "60",
        });
        Simulators.Runway.Latency = TimeSpan.FromMilliseconds(1500);

        var outcome = await harness.RunAsync(Requests.ImageToVideo());

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        // A bucket of 60 a minute holds five seconds' worth (5 polls) and adds one a second: a 1.5 s job gets at most 5 + 2.
        Assert.InRange(Simulators.Runway.Requests.Count(r => r.Method == "GET"), 1, 7);
    }

    [Fact]
    public async Task A_429_without_Retry_After_is_waited_out_with_growing_back_off()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?> { ["Providers:Replicate:RateLimitBackoffMs"] = "200" });
        Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.RateLimited, Count: 2, RetryAfterSeconds: 0));

        var outcome = await harness.RunAsync(Requests.Image(ratio: "original"));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        var creates = Simulators.Replicate.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/predictions", StringComparison.Ordinal)).ToList();
        Assert.Equal([429, 429, 201], creates.Select(r => r.Status));
        Assert.True(creates[1].At - creates[0].At >= TimeSpan.FromMilliseconds(200), "no back-off after the first 429");
        Assert.True(creates[2].At - creates[1].At >= TimeSpan.FromMilliseconds(400), "the back-off did not grow");
    }

    [Fact]
    public async Task Runways_daily_cap_is_waited_on_a_bounded_number_of_times_then_is_quota_exceeded_without_fallback()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Runway:RateLimitBackoffMs"] = "10",
            ["Providers:Runway:MaxRateLimitWaits"] = "3",
        });
        Simulators.Runway.Faults.Add(new FaultRule(FaultKind.RateLimited, RetryAfterSeconds: 0));

        var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "original"));

        Assert.Equal(ProviderErrorCode.QuotaExceeded, outcome.Failure!.Code);
        Assert.Equal("runway.create.daily-limit", outcome.Failure.Details["error"]);
        Assert.Equal(4, Simulators.Runway.Requests.Count(r => r.Status == 429));
        Assert.Empty(Simulators.Leonardo.Requests);
    }

    [Fact]
    public async Task Time_a_task_spends_THROTTLED_is_reported_and_not_charged_to_its_timeout()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Routing:VideoProviders:0"] = "Runway",
            ["Providers:Runway:TimeoutMs"] = "3000",
        });
        // Queued longer than the timeout, running well within it (a loaded machine's polling slop included): charged the
        // queue, the task would time out.
        Simulators.Runway.Latency = TimeSpan.FromMilliseconds(400);
        Simulators.Runway.Faults.Add(new FaultRule(FaultKind.Throttled, HoldMs: 4000));

        var outcome = await harness.RunAsync(Requests.ImageToVideo());

        // How much of the 4 s hold the polls saw depends on when they ran (one came 2.99 s apart on a loaded machine): that
        // the task succeeded is what shows the queue was not charged; that some was seen is what shows it is reported.
        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.True(outcome.Result!.QueuedTime > TimeSpan.Zero);
        Assert.Contains(harness.Logs.Lines, e => e.Message.Contains("in the provider's queue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replicate_gets_the_jobs_deadline_as_Cancel_After_and_a_prediction_that_never_started_is_aborted()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Replicate:TimeoutMs"] = "1000",
            ["Providers:Replicate:PreferWaitSeconds"] = "0",
        });
        Simulators.Replicate.Latency = TimeSpan.FromSeconds(9);

        var outcome = await harness.RunAsync(Requests.Image(ratio: "original"));

        Assert.Equal(ProviderErrorCode.Timeout, outcome.Failure!.Code);
        var job = Simulators.Replicate.Ledger.Jobs.Single();
        Assert.Equal(job.CreatedAt + TimeSpan.FromSeconds(1), job.Deadline);
        Assert.Equal(SimJobPhase.Aborted, job.PhaseAt(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Seeds_come_from_the_whole_request_id_differ_on_try_again_and_are_reported()
    {
        await using var harness = new Harness(Simulators);
        var request = Requests.Image(ratio: "original", outputs: 2);
        var retry = request with { RequestId = Guid.CreateVersion7() };

        var first = await harness.RunAsync(request);
        var again = await harness.RunAsync(request);
        var tryAgain = await harness.RunAsync(retry);

        var sent = Simulators.Replicate.Jobs.Select(j => j.Seed).ToList();
        Assert.Equal(sent[0], sent[1]);
        Assert.NotEqual(sent[0], sent[2]);
        Assert.Equal([sent[0]!.Value, sent[0]!.Value], first.Result!.Seeds);
        Assert.Equal(first.Result.Seeds, again.Result!.Seeds);
        Assert.Equal([sent[2]!.Value, sent[2]!.Value], tryAgain.Result!.Seeds);
        Assert.Equal(AdapterSupport.DerivedSeed(request.RequestId) % int.MaxValue, sent[0]);
    }

    [Theory]
    [InlineData("CREDITS", "leonardo_api_credits")]
    [InlineData("DOLLARS", "usd")]
    public async Task Leonardo_reports_its_cost_with_its_unit_and_its_init_image_is_deleted_after_use(string unit, string recorded)
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?> { ["Providers:Routing:VideoProviders:0"] = "Leonardo" });
        Simulators.Leonardo.CostUnit = unit;
        try
        {
            var outcome = await harness.RunAsync(Requests.ImageToVideo(ratio: "original"));

            Assert.True(outcome.Succeeded, outcome.Failure?.Message);
            Assert.Equal(25m, outcome.Result!.Credits);
            Assert.Equal(recorded, outcome.Result.CreditUnit);
            Assert.Equal(CreditSource.Reported, outcome.Result.CreditSource);
            Assert.Contains(Simulators.Leonardo.Requests, r => r.Method == "DELETE" && r.Path.StartsWith("/api/rest/v1/init-image/", StringComparison.Ordinal));
            Assert.Equal(0, Simulators.Leonardo.InitImageCount);
        }
        finally
        {
            Simulators.Leonardo.CostUnit = "CREDITS";
        }
    }

    [Fact]
    public async Task Outputs_listed_while_a_prediction_is_processing_are_not_taken_for_its_result()
    {
        await using var harness = new Harness(Simulators, new Dictionary<string, string?> { ["Providers:Replicate:PreferWaitSeconds"] = "0" });
        Simulators.Replicate.Latency = TimeSpan.FromMilliseconds(1200);

        var outcome = await harness.RunAsync(Requests.Image(ratio: "original", outputs: 4));

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(4, outcome.Result!.Outputs.Count);
        Assert.Empty(outcome.Result.Warnings);
    }

    [Fact]
    public async Task Replicate_removes_a_predictions_data_after_an_hour_and_a_resume_says_so()
    {
        await using var first = new Harness(Simulators);
        Simulators.Replicate.Latency = TimeSpan.FromMilliseconds(800);
        var request = Requests.Image(ratio: "original");
        var journal = new CrashAfterStarted();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Runner.RunAsync(request, [], journal, CancellationToken.None));
        using var http = new HttpClient();
        (await http.PostAsync(new Uri(Simulators.Replicate.Origin, "_sim/clock"), new StringContent("{\"advanceSeconds\": 3601}"))).EnsureSuccessStatusCode();

        await using var second = new Harness(Simulators, keepState: true);
        var outcome = await second.RunAsync(request, journal.Entries);

        Assert.Equal(ProviderErrorCode.ProviderError, outcome.Failure!.Code);
        Assert.Equal("replicate.job.data-removed", outcome.Failure.Details["error"]);
        var prediction = JsonNode.Parse(await Get(http, Simulators.Replicate, $"v1/predictions/{Simulators.Replicate.Jobs.Single().Id}"))!;
        Assert.True(prediction["data_removed"]!.GetValue<bool>());
        Assert.Null(prediction["output"]);
    }

    [Fact]
    public async Task Leonardos_look_up_reads_the_listing_page_by_page()
    {
        await using var first = new Harness(Simulators, new Dictionary<string, string?> { ["Providers:Routing:VideoProviders:0"] = "Leonardo" });
        var request = Requests.TextToVideo(ratio: "16:9");
        var journal = new CrashAfterStarted();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.Runner.RunAsync(request, [], journal, CancellationToken.None));
        // The filler only has to put 60 generations in the listing: Leonardo's default budget (60 creates a minute) would
        // pace it at one a second.
        await using var filler = new Harness(Simulators, new Dictionary<string, string?>
        {
            ["Providers:Routing:VideoProviders:0"] = "Leonardo",
            ["Providers:Leonardo:RateLimits:CreatesPerMinute"] = "6000",
        }, keepState: true);
        for (var i = 0; i < 60; i++)
        {
            Assert.True((await filler.RunAsync(Requests.TextToVideo(description: $"another generation number {i}"))).Succeeded);
        }

        await using var second = new Harness(Simulators, new Dictionary<string, string?> { ["Providers:Routing:VideoProviders:0"] = "Leonardo" }, keepState: true);
        var outcome = await second.RunAsync(request, journal.Entries.Where(e => e.State == JobState.Starting).ToList());

        Assert.True(outcome.Succeeded, outcome.Failure?.Message);
        Assert.Equal(61, Simulators.Leonardo.Jobs.Count);
        Assert.Contains(Simulators.Leonardo.Requests, r => r.Path.StartsWith("/api/rest/v1/generations/user/", StringComparison.Ordinal));
    }

    private static async Task<string> Get(HttpClient http, ProviderSimulator simulator, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(simulator.BaseUrl, path));
        request.Headers.Authorization = new("Bearer", simulator.ApiKey);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
