using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// Publishes TransformationStarted when the runner is about to ask a provider for a job (its intent journaled), so that
/// a request's status can tell "queued" from "generating". Not when the provider answers: Replicate's "Prefer: wait"
/// holds that answer until the job is nearly done. A status signal, not an outcome: it goes out without waiting for the
/// broker (the provider call is not held up by it), at least once, and a lost one only leaves a request looking queued
/// until its outcome.
/// </summary>
internal sealed partial class JobStartAnnouncer : IDisposable
{
    private static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(5);

    private readonly IProducer<string, byte[]> _producer;
    private readonly IAsyncSerializer<TransformationStarted> _serializer;
    private readonly ILogger<JobStartAnnouncer> _logger;
    private readonly string _topic;

    public JobStartAnnouncer(KafkaClientFactory clients, IAsyncSerializer<TransformationStarted> serializer, ILogger<JobStartAnnouncer> logger)
    {
        _producer = clients.CreateProducer<string, byte[]>("processor-started");
        _serializer = serializer;
        _logger = logger;
        _topic = clients.Options.Topic(Topics.Started);
    }

    /// <summary>The journal the runner writes to, announcing each job once its intent is journaled.</summary>
    public IJobJournal Around(IJobJournal journal, TransformationRequested request) => new AnnouncingJournal(journal, this, request);

    private async ValueTask AnnounceAsync(TransformationRequested request, JobCheckpoint starting)
    {
        var value = new TransformationStarted(
            request.RequestId, request.TenantId, request.CorrelationId, request.Requester, starting.RecordedAt, request.OccurredAt,
            starting.Provider, starting.Model, starting.Step);
        try
        {
            var bytes = await _serializer.SerializeAsync(value, new SerializationContext(MessageComponentType.Value, _topic));
            // The attempt it belongs to, as the stream runtime marks outcomes, so that status tells a replay's job from the first one's.
            var headers = new Headers { { StreamHeaders.Identity, Encoding.UTF8.GetBytes(RequestIdentity.Of(request).ToString()) } };
            _producer.ProduceTraced(_topic, new Message<string, byte[]> { Key = request.TenantId, Value = bytes, Headers = headers }, report =>
            {
                if (report.Error.IsError)
                {
                    LogNotAnnounced(request.RequestId, report.Error.Reason);
                }
            });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The registry or the producer's queue refused it: the job goes on, its request's status says "queued" a while longer.
            LogNotAnnounced(request.RequestId, e.Message);
        }
    }

    public void Dispose()
    {
        _producer.Flush(FlushOnStop);
        _producer.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: the start of its provider job was not announced: {Reason}")]
    private partial void LogNotAnnounced(Guid requestId, string reason);

    private sealed class AnnouncingJournal(IJobJournal inner, JobStartAnnouncer announcer, TransformationRequested request) : IJobJournal
    {
        public async ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
        {
            await inner.RecordAsync(checkpoint, cancellationToken);
            if (checkpoint.State == JobState.Starting)
            {
                await announcer.AnnounceAsync(request, checkpoint);
            }
        }

        public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) => inner.EnsureCurrentAsync(cancellationToken);
    }
}
