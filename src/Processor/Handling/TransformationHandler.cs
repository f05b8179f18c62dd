using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;
using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// One transformation request to one outcome. Prepared once on admission: validated, mapped to a generation, its
/// provider (the lane) chosen by capability. Then handled: the media resolved, the provider jobs run (or resumed) with the
/// changelog as their journal, each job announced as a provider is asked for it, and the outcome returned,
/// TransformationCompleted or TransformationFailed.
/// </summary>
internal sealed partial class TransformationHandler(
    IGenerationRunner runner,
    MediaResolver media,
    JobStartAnnouncer announcer,
    TimeProvider time,
    ProcessorMetrics metrics,
    ILogger<TransformationHandler> logger) : IStreamHandler<TransformationRequested, RequestWork>
{
    /// <summary>The lane of requests that fail before any provider call.</summary>
    public const string NoProvider = "none";

    public PreparedRecord<RequestWork> Prepare(TransformationRequested request, string? key)
    {
        if (request.RequestId == Guid.Empty || string.IsNullOrWhiteSpace(request.TenantId))
        {
            throw new PoisonRecordException("a request without a request id or tenant id");
        }

        if (key != request.TenantId)
        {
            // Keys are tenant ids: a request keyed otherwise would run beside its tenant's other requests, not after them.
            throw new PoisonRecordException("a request whose record key is not its tenant id");
        }

        var identity = RequestIdentity.Of(request).ToString();
        if (RequestValidation.Validate(request) is { } refusal)
        {
            return new(identity, NoProvider, new RequestWork(request, null, refusal));
        }

        // Capabilities depend on the media's kind, not on where it is: the media is resolved when the request runs.
        var generation = GenerationRequest.From(request);
        var lane = runner.Check(generation).Provider?.ToString() ?? NoProvider;
        return new(identity, lane, new RequestWork(request, generation, null));
    }

    public async Task<IReadOnlyList<object>> HandleAsync(StreamRecord<RequestWork> record, IRecordState state, CancellationToken cancellationToken)
    {
        var (request, generation, error) = record.Work;
        MediaInput? input = null;
        if (error is null)
        {
            (input, error) = await media.ResolveAsync(request, cancellationToken);
        }

        if (error is not null || generation is null)
        {
            return [Failed(request, error!)];
        }

        var journal = new ChangelogJournal(state);
        LogRunning(request.RequestId, request.TenantId, request.Task, request.OutputCount, request.SceneDescription.Length, journal.Checkpoints.Count);
        var outcome = await runner.RunAsync(generation with { Media = input }, journal.Checkpoints, announcer.Around(journal, request), cancellationToken);
        if (outcome.Result is not { } result)
        {
            return [Failed(request, RequestMapping.ErrorOf(outcome.Failure!))];
        }

        var completed = RequestMapping.Completed(request, result, time.GetUtcNow());
        metrics.Completed(completed);
        LogCompleted(request.RequestId, completed.Provider, completed.Model, completed.Outputs.Count, completed.Warnings.Count, completed.ProviderTimeMs,
            (long)result.QueuedTime.TotalMilliseconds);
        return [completed];
    }

    private TransformationFailed Failed(TransformationRequested request, ErrorInfo error)
    {
        var failed = RequestMapping.Failed(request, error, time.GetUtcNow());
        metrics.Failed(failed);
        LogFailed(request.RequestId, error.Code, error.Provider);
        return failed;
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Request {RequestId} of {Tenant}: {Task}, {Variations} variation(s), description {Length} chars, {Checkpoints} checkpoint(s) to resume from")]
    private partial void LogRunning(Guid requestId, string tenant, TransformationTask task, int variations, int length, int checkpoints);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Request {RequestId} completed by {Provider} {Model}: {Outputs} output(s), {Warnings} warning(s), {ProviderMs} ms at the provider, {QueuedMs} ms of it in the provider's queue")]
    private partial void LogCompleted(Guid requestId, Provider provider, string model, int outputs, int warnings, long providerMs, long queuedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} failed: {Code} ({Provider})")]
    private partial void LogFailed(Guid requestId, ErrorCode code, Provider? provider);
}
