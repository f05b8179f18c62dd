using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Streaming.Processing;
using ErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;

namespace CinematicSwitch.Archiver.Archiving;

/// <summary>
/// One completed request to its two ledger entries: its outcome (TransformationArchived, or TransformationFailed at
/// stage ARCHIVING when no output could be archived) and its CreditsRecorded. Credits are recorded in both cases: the
/// provider charged for the generation whether or not its output could be copied. The stream runtime publishes both
/// exactly once per identity (request id and replay count), resuming from the state saved after each output.
/// </summary>
internal sealed class ArchiveHandler(
    OutputArchiver archiver,
    ArchiverMetrics metrics,
    TimeProvider time,
    ILogger<ArchiveHandler> logger) : IStreamHandler<TransformationCompleted, TransformationCompleted>
{
    /// <summary>A replay is a new paid generation and is charged again (a new identity); a redelivery or a duplicate is not.</summary>
    public PreparedRecord<TransformationCompleted> Prepare(TransformationCompleted completed, string? key) =>
        completed.RequestId == Guid.Empty || string.IsNullOrWhiteSpace(completed.TenantId)
            ? throw new PoisonRecordException("a completed event without a request id or tenant id")
            : new(RequestIdentity.Of(completed).ToString(), completed.Provider.ToString(), completed);

    public async Task<IReadOnlyList<object>> HandleAsync(StreamRecord<TransformationCompleted> record, IRecordState state, CancellationToken cancellationToken)
    {
        var completed = record.Work;
        var saved = ArchiveState.Load(state.Payload);
        var progress = saved ?? ArchiveState.Start(time.GetUtcNow());
        logger.LogInformation("Request {RequestId} of {Tenant}: {Outputs} output(s) from {Provider}{Resumed}",
            completed.RequestId, completed.TenantId, completed.Outputs.Count, completed.Provider,
            saved is null ? "" : $", resuming with {saved.Archived.Count + saved.Failed.Count} done");

        // One archived output per variation: the clips of a chained video share its index and become one video.
        foreach (var variation in completed.Outputs.GroupBy(o => o.Index).OrderBy(g => g.Key))
        {
            if (progress.Covers(variation.Key))
            {
                continue;
            }

            progress = progress.With(await archiver.ArchiveAsync(completed, [.. variation], cancellationToken));
            await state.SaveAsync(progress.Serialize(), cancellationToken);
        }

        object outcome = progress.Archived.Count > 0 ? Archived(completed, progress) : Failed(completed, progress);

        var result = progress.Failed.Count == 0 ? "archived" : progress.Archived.Count > 0 ? "partial" : "failed";
        metrics.Finished(result);
        metrics.CreditsRecorded(completed.Provider, completed.CreditUnit, completed.Credits);
        logger.LogInformation("Request {RequestId}: {Result}, {Archived} archived, {Failed} not; {Credits} {Unit} recorded",
            completed.RequestId, result, progress.Archived.Count, progress.Failed.Count, completed.Credits, completed.CreditUnit);
        return [outcome, CreditsOf(completed, progress)];
    }

    private static TransformationArchived Archived(TransformationCompleted completed, ArchiveState progress) => new(
        completed.RequestId, completed.TenantId, completed.CorrelationId, completed.Requester, progress.OccurredAt,
        completed.Provider, completed.Model,
        [.. progress.Archived.OrderBy(a => a.Index)],
        [.. completed.Warnings, .. progress.Failed.OrderBy(f => f.Index).Select(f => $"Failed to archive output {f.Index}: {FetchException.Code(f.Reason)}")]);

    private static TransformationFailed Failed(TransformationCompleted completed, ArchiveState progress) => new(
        completed.RequestId, completed.TenantId, completed.CorrelationId, completed.Requester, progress.OccurredAt,
        FailureStage.Archiving, ErrorOf(completed, progress.Failed), completed.Request);

    private static CreditsRecorded CreditsOf(TransformationCompleted completed, ArchiveState progress) => new(
        completed.RequestId, completed.TenantId, completed.CorrelationId, completed.Requester, progress.OccurredAt,
        completed.Request.Task, completed.Provider, completed.Model, completed.Credits, completed.CreditUnit, completed.CreditSource);

    /// <summary>ProviderError ("its output could not be archived"), the first failure's reason in words, every failure in details.</summary>
    internal static ErrorInfo ErrorOf(TransformationCompleted completed, IReadOnlyList<OutputFailure> failed)
    {
        var ordered = failed.OrderBy(f => f.Index).ToList();
        if (ordered.Count == 0)
        {
            return new ErrorInfo(ErrorCode.ProviderError, "The provider reported no outputs to archive.", completed.Provider, null,
                new Dictionary<string, string> { ["reason"] = "no_outputs" });
        }

        var first = ordered[0];
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reason"] = FetchException.Code(first.Reason),
            ["detail"] = first.Detail,
            ["attempts"] = first.Attempts.ToString(),
            ["failed_outputs"] = string.Join(",", ordered.Select(f => f.Index)),
        };
        foreach (var failure in ordered.Skip(1))
        {
            details[$"output_{failure.Index}"] = $"{FetchException.Code(failure.Reason)}: {failure.Detail}";
        }

        // A URL the SSRF guard or the archiver's rules refuse (another tenant's object, an inside address) is bad input,
        // not a provider failure: no retry or fallback can fix it.
        var code = first.Reason == FetchFailureReason.Refused ? ErrorCode.InvalidInput : ErrorCode.ProviderError;
        return new ErrorInfo(code, $"The output could not be archived: {Describe(first.Reason)}.", completed.Provider, first.HttpStatus, details);
    }

    private static string Describe(FetchFailureReason reason) => reason switch
    {
        FetchFailureReason.Refused => "its URL is not one the archiver may fetch",
        FetchFailureReason.Expired => "the provider's link expired or the output was removed",
        FetchFailureReason.HttpError => "the provider's server answered with an error",
        FetchFailureReason.TooManyRedirects => "its URL redirects in a loop",
        FetchFailureReason.TooLarge => "it is larger than the archive accepts",
        FetchFailureReason.WrongType => "the provider served something that is not an accepted image or video",
        FetchFailureReason.Timeout => "the download did not finish in time",
        _ => "the provider's server could not be reached",
    };
}
