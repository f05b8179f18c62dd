using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>What a call does, which decides how an error status is read.</summary>
internal enum CallKind
{
    /// <summary>Creates a job from the user's input: 4xx speak about that input.</summary>
    Create,

    /// <summary>Reads, cancels or lists jobs by id: a 4xx is the provider's (or our) problem, not the user's.</summary>
    Manage,
}

/// <summary>An HTTP answer: status and body text.</summary>
internal sealed record HttpAnswer(HttpStatusCode Status, string Body);

/// <summary>
/// Sends one provider's HTTP calls through its Polly pipeline and turns every failure into a <see cref="ProviderException"/>
/// with the provider's own message in Details. Requests carry the key in headers only; logs carry method, path and status.
/// </summary>
internal sealed class ProviderHttp
{
    private readonly ProviderName provider;
    private readonly string clientName;
    private readonly IHttpClientFactory factory;
    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    public ProviderHttp(ProviderName provider, string clientName, ProviderOptions options, IHttpClientFactory factory, TimeProvider time, ILogger logger)
    {
        this.provider = provider;
        this.clientName = clientName;
        this.factory = factory;
        this.logger = logger;
        this.time = time;
        pipeline = ProviderResilience.Build(options, time);
    }

    /// <summary>Reads the provider's human-readable message out of an error body.</summary>
    public required Func<string, string?> MessageOf { get; init; }

    /// <summary>
    /// What an error's own words say, before the generic status mapping: exhausted credits are QuotaExceeded and
    /// moderation is InputValidation, whatever status the provider chose for them (Runway and Leonardo use 400).
    /// </summary>
    private ProviderFailure? Classify(HttpStatusCode status, string? message) =>
        AdapterSupport.MentionsCredits(message) ? Failure(ProviderErrorCode.QuotaExceeded, $"{provider}: not enough credits.", (int)status, message)
        : AdapterSupport.MentionsModeration(message) ? Failure(ProviderErrorCode.InputValidation, $"{provider}'s content moderation rejected the request.", (int)status, message)
        : null;

    public async Task<HttpAnswer> SendAsync(Func<HttpRequestMessage> buildRequest, CallKind kind, JobContext context, CancellationToken cancellationToken)
    {
        var resilience = ResilienceContextPool.Shared.Get(cancellationToken);
        resilience.Properties.Set(ProviderResilience.Deadline, context.Deadline);
        resilience.Properties.Set(ProviderResilience.Idempotent, kind == CallKind.Manage);
        var client = factory.CreateClient(clientName);
        string? method = null, path = null;
        var started = time.GetTimestamp();
        try
        {
            using var response = await pipeline.ExecuteAsync(async ctx =>
            {
                using var request = buildRequest();
                method = request.Method.Method;
                path = request.RequestUri?.AbsolutePath;
                return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken);
            }, resilience);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            logger.LogDebug("{Provider} {Method} {Path} answered {Status} in {ElapsedMs} ms", provider, method, path, (int)response.StatusCode,
                (long)time.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode)
            {
                throw new ProviderException(Map(response.StatusCode, body, kind));
            }

            return new HttpAnswer(response.StatusCode, body);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ProviderException(ProviderFailure.Create(ProviderErrorCode.ProviderError,
                $"{provider} is failing: its circuit breaker is open, no call was made.", provider, null, ("circuit", "open")), false, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ProviderException(ProviderFailure.Create(ProviderErrorCode.ProviderError,
                $"{provider} did not answer within the request timeout.", provider, null, ("originalError", "request timed out")), kind == CallKind.Create, ex);
        }
        catch (HttpRequestException ex)
        {
            // A refused connection never reached the provider; anything later may have.
            var neverSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            throw new ProviderException(ProviderFailure.Create(ProviderErrorCode.ProviderError,
                $"{provider} could not be reached.", provider, null, ("originalError", ex.HttpRequestError.ToString())), kind == CallKind.Create && !neverSent, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>The body as JSON; a malformed body is a provider error (ambiguous for a create: the job may exist).</summary>
    public JsonNode ParseJson(HttpAnswer answer, CallKind kind)
    {
        try
        {
            return JsonNode.Parse(answer.Body) ?? throw new JsonException("empty body");
        }
        catch (JsonException ex)
        {
            throw new ProviderException(ProviderFailure.Create(ProviderErrorCode.ProviderError,
                $"{provider} answered with malformed JSON.", provider, (int)answer.Status, ("originalError", "malformed JSON response"),
                ("bodyLength", answer.Body.Length.ToString())), kind == CallKind.Create, ex);
        }
    }

    public ProviderFailure Map(HttpStatusCode status, string body, CallKind kind)
    {
        var message = MessageOf(body);
        if (Classify(status, message) is { } specific)
        {
            return specific;
        }

        var code = (int)status;
        var (errorCode, text) = code switch
        {
            401 or 403 => (ProviderErrorCode.ProviderError, $"{provider} rejected the credentials (check the API key configuration)."),
            402 => (ProviderErrorCode.QuotaExceeded, $"{provider} says the account has insufficient credit."),
            429 => (ProviderErrorCode.ProviderError, $"{provider} kept rate-limiting beyond the job's deadline."),
            404 when kind == CallKind.Manage => (ProviderErrorCode.ProviderError, $"{provider} does not know the job."),
            >= 400 and < 500 when kind == CallKind.Create => (ProviderErrorCode.InvalidInput, $"{provider} rejected the request's input."),
            _ => (ProviderErrorCode.ProviderError, $"{provider} failed with HTTP {code}."),
        };
        return Failure(errorCode, text, code, message);
    }

    public ProviderFailure Failure(ProviderErrorCode code, string text, int? status, string? originalError, params (string Key, string? Value)[] more) =>
        ProviderFailure.Create(code, text, provider, status,
            [("originalError", originalError), ("status", status?.ToString()), .. more]);

    /// <summary>The string value of a JSON property, when it is one.</summary>
    public static string? Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Message extraction shared by the providers whose errors are {"error": "..."} (Runway, Leonardo).</summary>
    public static string? ErrorMember(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            return Text(node, "error") ?? Text(node?["error"], "message") ?? Text(node, "message");
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }
}
