using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Errors;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>
/// Every provider error the adapters know (<see cref="ProviderErrors"/>), produced by the simulators and run through the
/// adapters: each ends in its row's code and owner, and the next provider is tried exactly when the row allows it.
/// Video rows run on a route with a fallback (Runway then Leonardo, or Leonardo then Runway); Replicate has none.
/// </summary>
[Trait("Category", "Stack")]
public sealed class ErrorTableTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    private sealed record Trigger(FaultKind? Fault = null, FaultTarget On = FaultTarget.Create, Dictionary<string, string?>? Settings = null,
        Func<GenerationRequest, GenerationRequest>? Request = null);

    private static readonly Dictionary<string, string?> FastWaits = new()
    {
        ["Providers:Runway:RateLimitBackoffMs"] = "10",
        ["Providers:Runway:MaxRateLimitWaits"] = "2",
        ["Providers:Replicate:RateLimitBackoffMs"] = "10",
        ["Providers:Replicate:MaxRateLimitWaits"] = "2",
        ["Providers:Leonardo:RateLimitBackoffMs"] = "10",
        ["Providers:Leonardo:MaxRateLimitWaits"] = "2",
    };

    /// <summary>How each row is produced: a simulator fault, or settings and a request that lead to it.</summary>
    private static readonly Dictionary<string, Trigger> Triggers = new()
    {
        ["runway.create.credits"] = new(FaultKind.InsufficientCredits),
        ["runway.create.daily-limit"] = new(FaultKind.RateLimited),
        ["runway.create.model-rejected"] = new(FaultKind.ModelRetired),
        ["runway.create.asset-fetch"] = new(FaultKind.AssetFetchFailed),
        ["runway.create.asset-rejected"] = new(FaultKind.AssetTooLarge),
        ["runway.create.rejected"] = new(FaultKind.ParameterRejected),
        ["runway.job.safety"] = new(FaultKind.ContentPolicy),
        ["runway.job.bad-asset"] = new(FaultKind.BadMedia),
        ["runway.job.cancelled"] = new(FaultKind.Canceled),
        ["runway.job.failed"] = new(FaultKind.JobFailed),
        ["runway.auth"] = new(Settings: new() { ["Providers:Runway:ApiKey"] = "key_wrong" }),
        ["runway.unavailable"] = new(FaultKind.ServerError),
        ["runway.job-unknown"] = new(FaultKind.UnknownJob, FaultTarget.Poll),
        ["runway.timeout"] = new(FaultKind.NeverFinish, Settings: new() { ["Providers:Runway:TimeoutMs"] = "600" }),
        ["runway.input-unreadable"] = new(Request: r => r with { Media = r.Media! with { Url = "ftp://media.example/photo.png" } }),
        ["runway.input-refused"] = new(Request: r => r with { Media = r.Media! with { Url = "http://169.254.169.254/latest/meta-data/photo.png" } }),
        ["replicate.create.credit"] = new(FaultKind.InsufficientCredits),
        ["replicate.create.model-not-found"] = new(FaultKind.ModelRetired),
        ["replicate.create.rejected"] = new(FaultKind.ParameterRejected),
        ["replicate.job.nsfw"] = new(FaultKind.ContentPolicy),
        ["replicate.job.bad-image"] = new(FaultKind.BadMedia),
        ["replicate.job.input-fetch"] = new(FaultKind.AssetFetchFailed),
        ["replicate.job.deadline"] = new(FaultKind.Canceled),
        ["replicate.job.failed"] = new(FaultKind.JobFailed),
        ["replicate.auth"] = new(Settings: new() { ["Providers:Replicate:ApiKey"] = "r8_wrong" }),
        ["replicate.rate-limited"] = new(FaultKind.RateLimited),
        ["replicate.unavailable"] = new(FaultKind.Unavailable),
        ["replicate.job-unknown"] = new(FaultKind.UnknownJob, FaultTarget.Poll, new() { ["Providers:Replicate:PreferWaitSeconds"] = "0" }),
        // Replicate ends the job itself at the Cancel-After deadline (whole seconds: 1 s here), which is "replicate.job.deadline":
        // no Prefer wait (it would hold the create call until that same second) and a timeout well before it.
        ["replicate.timeout"] = new(FaultKind.NeverFinish, Settings: new()
        {
            ["Providers:Replicate:TimeoutMs"] = "200",
            ["Providers:Replicate:PreferWaitSeconds"] = "0",
        }),
        ["replicate.input-unreadable"] = new(Request: r => r with { Media = r.Media! with { Url = "ftp://media.example/photo.png" } }),
        ["replicate.input-refused"] = new(Request: r => r with { Media = r.Media! with { Url = "http://169.254.169.254/latest/meta-data/photo.png" } }),
        ["leonardo.create.tokens"] = new(FaultKind.InsufficientCredits),
        ["leonardo.create.moderation"] = new(FaultKind.ContentPolicy),
        ["leonardo.create.rejected"] = new(FaultKind.ParameterRejected),
        ["leonardo.job.nsfw"] = new(FaultKind.NsfwOutput),
        ["leonardo.job.missing"] = new(FaultKind.Canceled),
        ["leonardo.job.failed"] = new(FaultKind.JobFailed),
        ["leonardo.auth"] = new(Settings: new() { ["Providers:Leonardo:ApiKey"] = "leo_wrong" }),
        ["leonardo.rate-limited"] = new(FaultKind.RateLimited),
        ["leonardo.unavailable"] = new(FaultKind.ServerError),
        ["leonardo.job-unknown"] = new(FaultKind.UnknownJob, FaultTarget.Poll),
        ["leonardo.timeout"] = new(FaultKind.NeverFinish, Settings: new() { ["Providers:Leonardo:TimeoutMs"] = "600" }),
        ["leonardo.input-unreadable"] = new(Request: r => r with { Media = r.Media! with { Url = "ftp://media.example/photo.png" } }),
        ["leonardo.input-refused"] = new(Request: r => r with { Media = r.Media! with { Url = "http://169.254.169.254/latest/meta-data/photo.png" } }),
        ["leonardo.input-too-large"] = new(Settings: new() { ["Providers:Leonardo:MaxInitImageBytes"] = "64" },
            Request: r => r with { Media = r.Media! with { Url = "LEONARDO_MEDIA" } }),
    };

    /// <summary>Rows no simulator can bring about within the service spec's limits, and why.</summary>
    private static readonly Dictionary<string, string> Unreachable = new()
    {
        // The spec's media (16 MB images, 100 MB videos) stay below Runway's 200 MB uploads and Replicate's 100 MB files.
        ["runway.input-too-large"] = "media over 200 MB",
        ["replicate.input-too-large"] = "media over 100 MB",
        // Runway has no per-minute limit: its 429 on create is the daily cap row.
        ["runway.rate-limited"] = "Runway's 429 on create is runway.create.daily-limit",
        // Tested by ReplicateContractTests (an hour on the simulator's clock).
        ["replicate.job.data-removed"] = "Replicate_removes_a_predictions_data_after_an_hour_and_a_resume_says_so",
    };

    public static TheoryData<string> Rows() => [.. AllRows().Select(r => r.Id).Where(id => !Unreachable.ContainsKey(id))];

    private static IEnumerable<KnownError> AllRows() => ProviderErrors.All.Concat(Enum.GetValues<Provider>().Where(p => p.IsKnown()).SelectMany(ProviderErrors.Common));

    [Fact]
    public void Every_row_of_the_table_has_a_trigger_or_a_reason_it_cannot_be_produced()
    {
        var rows = AllRows().Select(r => r.Id).ToList();

        Assert.Equal(rows.Count, rows.Distinct().Count());
        Assert.All(rows, id => Assert.True(Triggers.ContainsKey(id) || Unreachable.ContainsKey(id), $"{id} has no trigger"));
        Assert.Empty(Triggers.Keys.Concat(Unreachable.Keys).Except(rows));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Each_known_error_has_its_code_and_falls_back_only_when_the_provider_or_the_configuration_can_fix_it(string id)
    {
        var row = AllRows().Single(r => r.Id == id);
        var trigger = Triggers[id];
        (ProviderSimulator First, ProviderSimulator? Next) pair = row.Provider switch
        {
            Provider.Runway => (fixture.Simulators.Runway, fixture.Simulators.Leonardo),
            Provider.Leonardo => (fixture.Simulators.Leonardo, fixture.Simulators.Runway),
            _ => (fixture.Simulators.Replicate, null),
        };
        var (first, next) = pair;
        var settings = new Dictionary<string, string?>(FastWaits);
        if (row.Provider == Provider.Leonardo)
        {
            settings["Providers:Routing:VideoProviders:0"] = "Leonardo";
            settings["Providers:Routing:VideoProviders:1"] = "Runway";
        }

        foreach (var (key, value) in trigger.Settings ?? [])
        {
            settings[key] = value;
        }

        await using var harness = new Harness(fixture.Simulators, settings);
        if (trigger.Fault is { } fault)
        {
            first.Faults.Add(new FaultRule(fault, trigger.On, RetryAfterSeconds: 0, HoldMs: 0));
        }

        var request = row.Provider == Provider.Replicate ? Requests.Image(ratio: "original") : Requests.ImageToVideo(ratio: "original");
        request = trigger.Request?.Invoke(request) ?? request;
        if (request.Media?.Url == "LEONARDO_MEDIA")
        {
            // A URL whose size is not known beforehand: the adapter finds out while downloading it.
            request = request with { Media = request.Media with { Url = new Uri(fixture.Simulators.Replicate.Origin, "media/image/64/48/png/input.png").ToString() } };
        }

        var outcome = await harness.RunAsync(request);

        var failure = outcome.Failure;
        if (next is not null && row.AllowsFallback)
        {
            // The next provider was tried (it succeeds unless the input fails it the same way, as media this process cannot read does).
            Assert.Contains(harness.Journal.Entries, e => e.Provider != row.Provider);
            Assert.True(outcome.Succeeded || outcome.Failure!.Provider != row.Provider, $"{id} did not fall back: {outcome.Failure?.Message}");
            Assert.True(outcome.Result is null || outcome.Result.FallbackFrom == row.Provider);
            failure = Assert.Single(harness.Journal.Entries, e => e.Provider == row.Provider && e.State is JobState.Failed or JobState.Canceled).Failure;
        }
        else if (next is not null)
        {
            Assert.Empty(next.Requests);
            Assert.DoesNotContain(harness.Journal.Entries, e => e.Provider != row.Provider);
        }

        Assert.NotNull(failure);
        Assert.Equal(id, failure.Details["error"]);
        Assert.Equal(row.Code, failure.Code);
        Assert.Equal(row.Owner.ToString().ToLowerInvariant(), failure.Details["owner"]);
        Assert.Equal(row.Provider, failure.Provider);
    }
}
