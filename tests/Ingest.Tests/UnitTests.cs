using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>The pure parts, on top of the HTTP tests: ids, recognition, address rules, and the status fold.</summary>
public sealed class UnitTests
{
    [Fact]
    public void Name_based_ids_follow_RFC_9562_version_5()
    {
        // The RFC's example: the DNS namespace and "www.example.com".
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"),
            RequestIds.NameBased(new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), "www.example.com"));
        Assert.Equal(RequestIds.FromIdempotencyKey("acme", "k1"), RequestIds.FromIdempotencyKey("acme", "k1"));
        Assert.NotEqual(RequestIds.FromIdempotencyKey("acme", "k1"), RequestIds.FromIdempotencyKey("acme", "k2"));
        Assert.NotEqual(RequestIds.FromIdempotencyKey("acme", "k1"), RequestIds.FromIdempotencyKey("globex", "k1"));
        Assert.Equal(5, RequestIds.FromIdempotencyKey("acme", "k1").Version);
    }

    [Theory]
    [InlineData("isom", "video/mp4")]
    [InlineData("mp42", "video/mp4")]
    [InlineData("qt  ", "video/quicktime")]
    [InlineData("heic", null)]
    [InlineData("mif1", null)]
    [InlineData("avif", null)]
    [InlineData("M4A ", null)]
    public void Iso_files_are_videos_only_for_video_brands(string brand, string? contentType)
    {
        var header = new byte[64];
        TestMedia.Iso(brand, 64).Fill(header, 0);

        Assert.Equal(contentType, MediaUploader.Recognize(header)?.ContentType);
    }

    [Fact]
    public void Images_are_recognised_by_their_signature()
    {
        Assert.Equal(MediaFormats.Png, MediaUploader.Recognize(TestMedia.PngSignature));
        Assert.Equal(MediaFormats.Jpeg, MediaUploader.Recognize(TestMedia.JpegSignature));
        Assert.Null(MediaUploader.Recognize("GIF89a......"u8));
        Assert.Null(MediaUploader.Recognize([0xFF, 0xD8]));
    }

    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly TransformationRequested Request = new(Guid.NewGuid(), "acme", "c", "http:ingest", T0, TransformationTask.ImageTransform,
        null, "a knight in a castle", null, null, 1, "original", null, null, null);

    [Fact]
    public void Status_does_not_depend_on_the_order_in_which_topics_are_read()
    {
        var failed = new TransformationFailed(Request.RequestId, "acme", "c", "http:ingest", T0.AddSeconds(5), FailureStage.Processing,
            new ErrorInfo(ErrorCode.ProviderError, "x", Provider.Replicate, 500, new Dictionary<string, string>()), Request);

        var requestFirst = RequestState.OnFailed(RequestState.OnRequested(null, Request), failed);
        var outcomeFirst = RequestState.OnRequested(RequestState.OnFailed(null, failed), Request);

        Assert.Equal(RequestPhase.Failed, requestFirst.Phase);
        Assert.Equal(RequestPhase.Failed, outcomeFirst.Phase);
        Assert.Equal(requestFirst, outcomeFirst);
    }

    [Fact]
    public void A_replay_after_a_failure_is_pending_whatever_is_read_first_and_its_outcome_counts()
    {
        var failed = new TransformationFailed(Request.RequestId, "acme", "c", "http:ingest", T0.AddSeconds(5), FailureStage.Processing,
            new ErrorInfo(ErrorCode.TimeoutError, "x", Provider.Runway, null, new Dictionary<string, string>()), Request);
        // An operator's replay is the same request, occurred_at included, with a replay count.
        var replay = Request with { Replay = new ReplayInfo(1, T0.AddMinutes(10), "ops", ErrorCode.TimeoutError, "x") };

        var inOrder = RequestState.OnRequested(RequestState.OnFailed(RequestState.OnRequested(null, Request), failed), replay);
        var replayFirst = RequestState.OnFailed(RequestState.OnRequested(RequestState.OnRequested(null, replay), Request), failed);
        Assert.Equal(RequestPhase.Pending, inOrder.Phase);
        Assert.Equal(RequestPhase.Pending, replayFirst.Phase);
        Assert.Equal(T0, inOrder.CreatedAt);

        var completed = new TransformationCompleted(Request.RequestId, "acme", "c", "http:ingest", T0.AddMinutes(11), Provider.Replicate, "m", [], 1, [],
            1000, 900, 0, "usd", CreditSource.RateTable, [], null, null, replay);
        var processing = RequestState.OnCompleted(inOrder, completed);
        Assert.Equal(RequestPhase.Processing, processing.Phase);
        Assert.Equal(1, processing.Attempt);

        // Archived (its attempt from the cs-identity header): the replayed success shows, whatever came first.
        var archived = new TransformationArchived(Request.RequestId, "acme", "c", "http:ingest", T0.AddMinutes(12), Provider.Replicate, "m", [], []);
        Assert.Equal(RequestPhase.Completed, RequestState.OnArchived(processing, archived, attempt: 1).Phase);
        Assert.Equal(RequestPhase.Completed, RequestState.OnFailed(RequestState.OnArchived(RequestState.OnRequested(null, replay), archived, 1), failed).Phase);
        // The first attempt's archive does not count for the replay.
        Assert.Equal(RequestPhase.Pending, RequestState.OnArchived(inOrder, archived, attempt: 0).Phase);
    }

    [Fact]
    public void A_started_job_makes_its_attempt_generating_whatever_is_read_first_and_not_a_later_replay()
    {
        var runway = new TransformationStarted(Request.RequestId, "acme", "c", "http:ingest", T0.AddSeconds(2), T0, Provider.Runway, "gen4_turbo", 0);
        var leonardo = runway with { OccurredAt = T0.AddSeconds(40), Provider = Provider.Leonardo, Model = "motion-2.0" };

        var inOrder = RequestState.OnStarted(RequestState.OnStarted(RequestState.OnRequested(null, Request), runway, 0), leonardo, 0);
        var jobsFirst = RequestState.OnRequested(RequestState.OnStarted(RequestState.OnStarted(null, leonardo, 0), runway, 0), Request);
        Assert.Equal(RequestPhase.Pending, inOrder.Phase);
        Assert.Equal(Provider.Leonardo, inOrder.Generating?.Provider);
        Assert.Equal(inOrder with { UpdatedAt = default }, jobsFirst with { UpdatedAt = default });
        Assert.Null(RequestState.OnRequested(null, Request).Generating);

        // A replay is queued again until a job of its own starts; a job of the earlier attempt does not count for it.
        var replay = Request with { Replay = new ReplayInfo(1, T0.AddMinutes(10), "ops", ErrorCode.TimeoutError, "x") };
        var replayed = RequestState.OnRequested(inOrder, replay);
        Assert.Null(replayed.Generating);
        Assert.Null(RequestState.OnStarted(replayed, runway with { OccurredAt = T0.AddMinutes(11) }, attempt: 0).Generating);
        Assert.Equal(Provider.Runway, RequestState.OnStarted(replayed, runway with { OccurredAt = T0.AddMinutes(11) }, attempt: 1).Generating?.Provider);

        // An outcome ends generating, whichever arrives first.
        var completed = new TransformationCompleted(Request.RequestId, "acme", "c", "http:ingest", T0.AddMinutes(1), Provider.Leonardo, "m", [], 1, [],
            1000, 900, 0, "usd", CreditSource.RateTable, [], Provider.Runway, "x", Request);
        Assert.Null(RequestState.OnCompleted(inOrder, completed).Generating);
        Assert.Null(RequestState.OnStarted(RequestState.OnCompleted(RequestState.OnRequested(null, Request), completed), runway, 0).Generating);
    }

    [Fact]
    public void A_failure_while_archiving_turns_a_processing_request_failed()
    {
        var completed = new TransformationCompleted(Request.RequestId, "acme", "c", "http:ingest", T0.AddSeconds(5), Provider.Replicate, "m", [], 1, [],
            1000, 900, 0, "usd", CreditSource.RateTable, [], null, null, Request);
        var archiveFailed = new TransformationFailed(Request.RequestId, "acme", "c", "http:ingest", T0.AddSeconds(9), FailureStage.Archiving,
            new ErrorInfo(ErrorCode.ProviderError, "x", Provider.Replicate, null, new Dictionary<string, string>()), Request);

        var state = RequestState.OnCompleted(RequestState.OnRequested(null, Request), completed);
        Assert.Equal(RequestPhase.Processing, state.Phase);
        Assert.Equal(RequestPhase.Failed, RequestState.OnFailed(state, archiveFailed).Phase);
    }

    [Fact]
    public void The_store_keeps_at_most_its_capacity_oldest_out()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new IngestOptions { Status = new StatusOptions { MaxRequests = 100 } });
        var store = new RequestStatusStore(options);
        var ids = Enumerable.Range(0, 150).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            store.Apply(id, s => RequestState.OnRequested(s, Request with { RequestId = id }));
        }

        Assert.Equal(100, store.Count);
        Assert.Null(store.Get(ids[0], "acme"));
        Assert.NotNull(store.Get(ids[^1], "acme"));
        Assert.Null(store.Get(ids[^1], "globex"));
    }
}
