using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// One transformation request to one outcome: validate, resolve the media, run (or resume) the provider
/// jobs with the changelog as their journal (announcing each job as a provider is asked for it), and answer with TransformationCompleted or
/// TransformationFailed.
/// </summary>
internal sealed class TransformationHandler(
    IGenerationRunner runner,
    MediaResolver media,
    JobStartAnnouncer announcer,
    IAsyncDeserializer<TransformationRequested> requests,
    IAsyncSerializer<TransformationCompleted> completions,
    IAsyncSerializer<TransformationFailed> failures,
    IOptions<KafkaOptions> kafka,
    TimeProvider time,
    ProcessorMetrics metrics,
    ILogger<TransformationHandler> logger) : IStreamHandler<TransformationRequested>
{
    /// <summary>The name of a request's only output, whichever topic it goes to.</summary>
    public const string Outcome = "outcome";

    /// <summary>The lane of requests that fail before any provider call.</summary>
    public const string NoProvider = "none";

    private readonly string _completedTopic = kafka.Value.Topic(Topics.Completed);
    private readonly string _failedTopic = kafka.Value.Topic(Topics.Failed);

    public async ValueTask<TransformationRequested> DecodeAsync(ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken) =>
        await requests.DeserializeValueAsync(record);

    /// <summary>A replay is a new attempt; a redelivery or a duplicate of the same attempt is not.</summary>
    public string IdentityOf(TransformationRequested value) => RequestIdentity.Of(value).ToString();

    public string LaneOf(TransformationRequested value)
    {
        if (RequestValidation.Validate(value) is not null || RequestMapping.TaskOf(value.Task) is not { } task)
        {
            return NoProvider;
        }

        // Capabilities depend on the media's kind, not on where it is.
        var placeholder = value.Media is { } m ? new MediaInput("https://media.invalid/", m.ContentType, m.Kind == MediaKind.Video) : null;
        return runner.Check(RequestMapping.ToGeneration(value, task, placeholder)).Provider?.ToString() ?? NoProvider;
    }

    public async Task<IReadOnlyList<OutputRecord>> HandleAsync(StreamRecord<TransformationRequested> record, IRecordState state, CancellationToken cancellationToken)
    {
        var request = record.Value;
        var error = RequestValidation.Validate(request);
        MediaInput? input = null;
        if (error is null)
        {
            (input, error) = await media.ResolveAsync(request.Media, cancellationToken);
        }

        if (error is not null)
        {
            return [await FailedAsync(request, error)];
        }

        var journal = new ChangelogJournal(state);
        var generation = RequestMapping.ToGeneration(request, RequestMapping.TaskOf(request.Task)!.Value, input);
        logger.LogInformation("Request {RequestId} of {Tenant}: {Task}, {Variations} variation(s), description {Length} chars{Resumed}",
            request.RequestId, request.TenantId, request.Task, request.OutputCount, request.SceneDescription.Length,
            journal.Checkpoints.Count > 0 ? $", resuming {journal.Checkpoints.Count} checkpoint(s)" : "");

        var outcome = await runner.RunAsync(generation, journal.Checkpoints, announcer.Around(journal, request), cancellationToken);
        if (outcome.Result is { } result)
        {
            var completed = RequestMapping.Completed(request, result, time.GetUtcNow());
            metrics.Completed(completed);
            logger.LogInformation("Request {RequestId} completed by {Provider} {Model}: {Outputs} output(s), {Warnings} warning(s), {ProviderMs} ms at the provider, {QueuedMs} ms of it in the provider's queue",
                request.RequestId, completed.Provider, completed.Model, completed.Outputs.Count, completed.Warnings.Count, completed.ProviderTimeMs,
                (long)result.QueuedTime.TotalMilliseconds);
            var value = await completions.SerializeAsync(completed, new SerializationContext(MessageComponentType.Value, _completedTopic));
            return [new OutputRecord(Outcome, _completedTopic, value)];
        }

        return [await FailedAsync(request, RequestMapping.ErrorOf(outcome.Failure!))];
    }

    private async Task<OutputRecord> FailedAsync(TransformationRequested request, ErrorInfo error)
    {
        var failed = RequestMapping.Failed(request, error, time.GetUtcNow());
        metrics.Failed(failed);
        logger.LogInformation("Request {RequestId} failed: {Code} ({Provider})", request.RequestId, error.Code, error.Provider);
        var value = await failures.SerializeAsync(failed, new SerializationContext(MessageComponentType.Value, _failedTopic));
        return new OutputRecord(Outcome, _failedTopic, value);
    }
}
