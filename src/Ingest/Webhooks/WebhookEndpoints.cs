using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Webhooks;
using Confluent.Kafka;

namespace CinematicSwitch.Ingest.Webhooks;

/// <summary>
/// POST /webhooks/replicate and POST /webhooks/leonardo: the providers' doorbells. A delivery is authenticated (Replicate: Standard
/// Webhooks signature and timestamp; Leonardo: its callback key), and one saying a job ended is written to
/// cinematic.provider.job-events (provider, job id, time received; nothing of the body), once per message (a redelivery is
/// acknowledged, not written again: <see cref="WrittenDeliveries"/>). Refused: 400 (headers missing or
/// malformed, a body that is not the provider's event), 401 (no valid signature or key, a timestamp outside the tolerance),
/// 404 (the provider's webhooks are off); 503 when the doorbell cannot be written (the provider retries). Bodies are never logged.
/// </summary>
internal static partial class WebhookEndpoints
{
    public static WebApplication MapWebhooks(this WebApplication app)
    {
        app.MapPost("/webhooks/replicate", ReplicateAsync);
        app.MapPost("/webhooks/leonardo", LeonardoAsync);
        return app;
    }

    private static async Task<IResult> ReplicateAsync(HttpContext http, IProviderWebhooks webhooks, JobEventPublisher publisher, WrittenDeliveries written,
        IngestMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        if (!webhooks.Enabled(Provider.Replicate))
        {
            return Results.NotFound();
        }

        var body = await ReadAsync(http);
        var headers = http.Request.Headers;
        WebhookCheck check;
        try
        {
            check = await webhooks.CheckReplicateAsync(new StandardWebhookHeaders(headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]),
                body, http.RequestAborted);
        }
        catch (ProviderException e)
        {
            LogSecretUnavailable(Logger(loggers), e.Failure.HttpStatus);
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        return await AnswerAsync(Provider.Replicate, check, body.Length, publisher, written, metrics, time, Logger(loggers), http.RequestAborted);
    }

    private static async Task<IResult> LeonardoAsync(HttpContext http, IProviderWebhooks webhooks, JobEventPublisher publisher, WrittenDeliveries written,
        IngestMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        if (!webhooks.Enabled(Provider.Leonardo))
        {
            return Results.NotFound();
        }

        var body = await ReadAsync(http);
        var check = webhooks.CheckLeonardo(http.Request.Headers.Authorization, body);
        return await AnswerAsync(Provider.Leonardo, check, body.Length, publisher, written, metrics, time, Logger(loggers), http.RequestAborted);
    }

    private static async Task<IResult> AnswerAsync(Provider provider, WebhookCheck check, int bodyLength, JobEventPublisher publisher,
        WrittenDeliveries written, IngestMetrics metrics, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        if (check is { Verdict: WebhookVerdict.JobEnded, DeliveryId: { } repeated } && written.Contains(provider, repeated))
        {
            check = check with { Verdict = WebhookVerdict.Duplicate };
        }

        var status = check.Verdict switch
        {
            WebhookVerdict.JobEnded or WebhookVerdict.Ignored or WebhookVerdict.Duplicate => StatusCodes.Status200OK,
            WebhookVerdict.Malformed or WebhookVerdict.Unreadable => StatusCodes.Status400BadRequest,
            _ => StatusCodes.Status401Unauthorized,
        };
        if (check is { Verdict: WebhookVerdict.JobEnded, JobId: { } jobId })
        {
            try
            {
                await publisher.PublishAsync(new ProviderJobEvent(provider.ToString().ToLowerInvariant(), jobId, time.GetUtcNow()), cancellationToken);
                if (check.DeliveryId is { } delivered)
                {
                    written.Add(provider, delivered);
                }
            }
            catch (KafkaException e)
            {
                LogPublishFailed(logger, provider, jobId, e.Error.Code);
                status = StatusCodes.Status503ServiceUnavailable;
            }
        }

        metrics.Webhook(provider, check.Verdict, status);
        LogWebhook(logger, provider, check.Verdict, check.JobId, bodyLength, status);
        return Results.StatusCode(status);
    }

    /// <summary>The raw body: signatures are over its exact bytes. Kestrel's request size limit bounds it.</summary>
    private static async Task<byte[]> ReadAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        return buffer.ToArray();
    }

    private static ILogger Logger(ILoggerFactory loggers) => loggers.CreateLogger(typeof(WebhookEndpoints));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Provider} webhook: {Verdict}, job {JobId}, {BodyBytes} bytes, answered {Status}")]
    private static partial void LogWebhook(ILogger logger, Provider provider, WebhookVerdict verdict, string? jobId, int bodyBytes, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replicate webhook: the signing secret could not be read from Replicate (HTTP {HttpStatus}); answered 503")]
    private static partial void LogSecretUnavailable(ILogger logger, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} webhook for job {JobId}: writing the job event failed ({Code}); answered 503")]
    private static partial void LogPublishFailed(ILogger logger, Provider provider, string jobId, Confluent.Kafka.ErrorCode code);
}
