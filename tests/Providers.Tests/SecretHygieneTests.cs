using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>Keys never reach logs or exceptions, whatever happens to the run.</summary>
[Trait("Category", "Stack")]
public sealed class SecretHygieneTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task No_key_and_no_description_appear_in_any_log_of_failing_and_succeeding_runs()
    {
        const string wrongKey = "r8_wrong_key_that_must_stay_secret";
        var simulators = fixture.Simulators;
        await using var harness = new Harness(simulators, new Dictionary<string, string?> { ["Providers:Runway:TimeoutMs"] = "1000" });
        await using var wrong = new Harness(simulators, new Dictionary<string, string?> { ["Providers:Replicate:ApiKey"] = wrongKey }, keepState: true);
        var description = Requests.Unique("a secret scene nobody may read in the logs");
        simulators.Runway.Faults.Add(new FaultRule(FaultKind.ServerError, Count: 1));
        simulators.Leonardo.Faults.Add(new FaultRule(FaultKind.NeverFinish, Count: 1));

        var outcomes = new[]
        {
            await harness.RunAsync(Requests.Image(description)),
            await harness.RunAsync(Requests.ImageToVideo(description, ratio: "original")),
            await harness.RunAsync(Requests.TextToVideo(description, loop: true) with { Video = new VideoSpec(5, true) }),
            await wrong.RunAsync(Requests.Image(description)),
        };

        Assert.Contains(outcomes, o => o.Succeeded);
        Assert.Contains(outcomes, o => !o.Succeeded);
        var everything = harness.Logs.Lines.Concat(wrong.Logs.Lines).Select(l => l.All).ToList();
        Assert.NotEmpty(everything);
        Assert.Contains(everything, e => e.Contains("System.Net.Http.HttpClient", StringComparison.Ordinal));
        foreach (var secret in new[] { simulators.Replicate.ApiKey, simulators.Runway.ApiKey, simulators.Leonardo.ApiKey, wrongKey, description })
        {
            Assert.DoesNotContain(everything, e => e.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(outcomes, o => o.Failure is { } f && (f.Message.Contains(secret, StringComparison.Ordinal) ||
                                                                         f.Details.Values.Any(v => v.Contains(secret, StringComparison.Ordinal))));
        }
    }
}
