using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Retention;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>Ingest on topics of its own that keeps inputs for no time after the outcome, and sweeps only when a test asks.</summary>
public sealed class RetentionFixture : IngestFixture
{
    public static readonly Dictionary<string, string?> SweepOnRequest = new()
    {
        ["Ingest:Retention:KeepInputsFor"] = "00:00:00",
        // Longer than any test: the background loop never sweeps, each sweep is the test's.
        ["Ingest:Retention:SweepInterval"] = "1.00:00:00",
    };

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => SweepOnRequest;
}

/// <summary>
/// Retention of uploaded inputs against the real bucket (s3rver) and the projection of real topics: an input goes once
/// its request's outcome is final and the keep time passed, never before, and never while the request has no outcome.
/// </summary>
[Trait("Category", "Stack")]
public sealed class RetentionTests(RetentionFixture fixture) : IClassFixture<RetentionFixture>
{
    [Fact]
    public async Task Inputs_of_final_requests_go_after_the_keep_time_and_inputs_of_requests_without_an_outcome_stay()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        var (_, inFlight) = await fixture.SubmitAsync(client);
        var (_, archived) = await fixture.SubmitAsync(client);
        var (_, failed) = await fixture.SubmitAsync(client);
        var (_, replayed) = await fixture.SubmitAsync(client);

        await Outcomes.SucceedAsync(fixture, archived);
        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(failed, ErrorCode.ProviderError, UserMessages.TransformationFailed));
        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(replayed, ErrorCode.TimeoutError, UserMessages.Timeout));
        // A replay after the failure: the request is pending again and needs its input.
        await fixture.ProduceAsync(Topics.Requested, replayed with
        {
            Replay = new ReplayInfo(1, DateTimeOffset.UtcNow, "ops:test", ErrorCode.TimeoutError, UserMessages.Timeout),
        });
        await WaitForAsync(fixture.Host, archived, RequestPhase.Completed);
        await WaitForAsync(fixture.Host, failed, RequestPhase.Failed);
        await WaitForAsync(fixture.Host, replayed, RequestPhase.Pending, attempt: 1);

        // Within the keep time (another instance on the same topics, keeping inputs a day): nothing goes.
        await using (var keeping = await fixture.StartHostAsync(new Dictionary<string, string?> { ["Ingest:Retention:KeepInputsFor"] = "1.00:00:00" }))
        {
            await WaitForAsync(keeping, replayed, RequestPhase.Pending, attempt: 1);
            var within = await SweepAsync(keeping);
            Assert.Equal(0, within.Deleted);
            Assert.Equal(2, within.Kept);
            Assert.Equal(2, within.Pending);
            foreach (var request in new[] { archived, failed, replayed, inFlight })
            {
                Assert.True(await ExistsAsync(request), $"The input of {request.RequestId} was deleted within the keep time.");
            }
        }

        // Past the keep time: the archived and the failed request's inputs go, the pending ones stay.
        var sweep = await SweepAsync(fixture.Host);
        Assert.Equal(2, sweep.Deleted);
        Assert.Equal(archived.Media!.SizeBytes + failed.Media!.SizeBytes, sweep.DeletedBytes);
        Assert.Equal(2, sweep.Pending);
        Assert.False(await ExistsAsync(archived));
        Assert.False(await ExistsAsync(failed));
        Assert.True(await ExistsAsync(inFlight));
        Assert.True(await ExistsAsync(replayed));
        // What the archiver stored is not an input: it stays.
        Assert.NotEmpty(await ArchivedAsync(archived));

        // Swept again, nothing more goes; the in-flight request's input goes once its outcome arrives.
        Assert.Equal(0, (await SweepAsync(fixture.Host)).Deleted);
        await Outcomes.SucceedAsync(fixture, inFlight);
        await WaitForAsync(fixture.Host, inFlight, RequestPhase.Completed);
        Assert.Equal(1, (await SweepAsync(fixture.Host)).Deleted);
        Assert.False(await ExistsAsync(inFlight));
        Assert.True(await ExistsAsync(replayed));
    }

    [Fact]
    public async Task The_service_sweeps_on_its_own_schedule()
    {
        await using var host = await fixture.StartHostAsync(new Dictionary<string, string?> { ["Ingest:Retention:SweepInterval"] = "00:00:01" });
        using var client = host.Client(TestTenants.Globex);
        var (_, requested) = await fixture.SubmitAsync(client);
        await fixture.ProduceAsync(Topics.Failed, Outcomes.Failed(requested, ErrorCode.ProviderError, UserMessages.TransformationFailed));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await ExistsAsync(requested))
        {
            Assert.True(DateTime.UtcNow < deadline, "The input of the failed request was not deleted by the service's own sweeps within 60 s.");
            await Task.Delay(200);
        }

        Assert.Contains(host.Logs.Lines, l => l.Message.Contains("Input sweep:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("t1/7d1c5e0e-2b6a-4c39-9d55-2f0a3c1e9b10/input.png", true)]
    [InlineData("t10/7d1c5e0e-2b6a-4c39-9d55-2f0a3c1e9b10/input.mp4", true)]
    [InlineData("t1/campaigns/summer/style.png", false)]
    [InlineData("t1/7d1c5e0e-2b6a-4c39-9d55-2f0a3c1e9b10/output-0.png", false)]
    [InlineData("t1/7d1c5e0e2b6a4c399d552f0a3c1e9b10/input.png", false)]
    [InlineData("t1/x/7d1c5e0e-2b6a-4c39-9d55-2f0a3c1e9b10/input.png", false)]
    [InlineData("/7d1c5e0e-2b6a-4c39-9d55-2f0a3c1e9b10/input.png", false)]
    public void Only_keys_laid_out_as_Ingest_stores_inputs_belong_to_a_request(string key, bool isInput)
    {
        Assert.Equal(isInput, InputKeys.TryParse(key, out var tenant, out var requestId));
        if (isInput)
        {
            Assert.Equal(key[..key.IndexOf('/', StringComparison.Ordinal)], tenant);
            Assert.Equal(key, $"{InputKeys.Of(tenant, requestId)}{key[key.LastIndexOf('.')..]}");
        }
    }

    [Fact]
    public void An_input_is_judged_by_its_requests_latest_attempt_and_last_event()
    {
        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var keep = TimeSpan.FromHours(24);
        var request = new RequestState(Guid.NewGuid(), "t1", now.AddDays(-3), now.AddDays(-2), 0, TransformationTask.ImageTransform, null, 1,
            null, null, null, null);
        var failed = request with { Failed = new FailedInfo(0, new ErrorInfo(ErrorCode.ProviderError, "x", null, null, new Dictionary<string, string>())) };

        Assert.Equal(InputFate.Unknown, InputSweeper.Judge(null, now, keep));
        Assert.Equal(InputFate.AwaitOutcome, InputSweeper.Judge(request, now, keep));
        Assert.Equal(InputFate.Delete, InputSweeper.Judge(failed, now, keep));
        Assert.Equal(InputFate.Keep, InputSweeper.Judge(failed with { UpdatedAt = now.AddHours(-23) }, now, keep));
        Assert.Equal(InputFate.Delete, InputSweeper.Judge(failed with { UpdatedAt = now.AddHours(-24) }, now, keep));
        // Replayed: the failure answers an earlier attempt, and the replay has no outcome yet.
        Assert.Equal(InputFate.AwaitOutcome, InputSweeper.Judge(failed with { Attempt = 1 }, now, keep));
    }

    private static async Task<InputSweep> SweepAsync(IngestHost host) =>
        await host.Services.GetRequiredService<InputSweeper>().SweepAsync(CancellationToken.None)
        ?? throw new InvalidOperationException("The sweep was skipped: the status projection had not caught up.");

    /// <summary>Until the host's projection shows the request in <paramref name="phase"/> (for <paramref name="attempt"/>).</summary>
    private static async Task WaitForAsync(IngestHost host, TransformationRequested request, RequestPhase phase, int attempt = 0)
    {
        var statuses = host.Services.GetRequiredService<RequestStatusStore>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (statuses.Get(request.RequestId, request.TenantId) is not { } state || state.Phase != phase || state.Attempt != attempt)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Request {request.RequestId} did not reach {phase} (attempt {attempt}) within 30 s.");
            await Task.Delay(50);
        }
    }

    private async Task<bool> ExistsAsync(TransformationRequested request) =>
        (await fixture.InputsAsync(S3ObjectRef.Parse(request.Media!.Uri).Key)).Count == 1;

    private async Task<List<Amazon.S3.Model.S3Object>> ArchivedAsync(TransformationRequested request)
    {
        var listing = await fixture.Store.Client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request
        {
            BucketName = fixture.Store.Options.ArchiveBucket,
            Prefix = $"{request.TenantId}/{request.RequestId}/",
        });
        return listing.S3Objects ?? [];
    }
}
