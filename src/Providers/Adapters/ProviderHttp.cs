using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Errors;
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
/// classified by <see cref="ProviderErrors"/>, with the provider's own message in Details. Requests carry the key in headers
/// only; logs carry method, path and status.
/// </summary>
internal sealed class ProviderHttp : IDisposable
{
    private readonly Provider provider;
    private readonly string clientName;
    private readonly IHttpClientFactory factory;
    private readonly ProviderPipeline pipeline;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    public ProviderHttp(Provider provider, string clientName, ProviderOptions options, IHttpClientFactory factory, TimeProvider time, ILogger logger)
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
            using var response = await pipeline.Pipeline.ExecuteAsync(async ctx =>
            {
                if (kind == CallKind.Create && context.BeforeCreate is { } beforeCreate)
                {
                    await beforeCreate(ctx.CancellationToken);
                }

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
            throw new ProviderException(Unavailable($"{provider} is failing: its circuit breaker is open, no call was made.", null, ("circuit", "open")), false, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ProviderException(Unavailable($"{provider} did not answer within the request timeout.", "request timed out"), kind == CallKind.Create, ex);
        }
        catch (HttpRequestException ex)
        {
            // A refused connection never reached the provider; anything later may have.
            var neverSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;
            throw new ProviderException(Unavailable($"{provider} could not be reached.", ex.HttpRequestError.ToString()), kind == CallKind.Create && !neverSent, ex);
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
            throw new ProviderException(Unavailable($"{provider} answered with malformed JSON.", "malformed JSON response",
                ("bodyLength", answer.Body.Length.ToString())) with { HttpStatus = (int)answer.Status }, kind == CallKind.Create, ex);
        }
    }

    /// <summary>An error answer, by the table: a create's 4xx by its words and status, a manage call's as the job's problem.</summary>
    public ProviderFailure Map(HttpStatusCode status, string body, CallKind kind)
    {
        var facts = new ErrorFacts((int)status, MessageOf(body));
        return ProviderErrors.Classify(provider, kind == CallKind.Create ? ErrorSource.Create : ErrorSource.Manage, facts).ToFailure(facts);
    }

    /// <summary>A job's end state, by the table.</summary>
    public ProviderFailure JobFailure(ErrorFacts facts, params (string Key, string? Value)[] more) =>
        ProviderErrors.Classify(provider, ErrorSource.Job, facts).ToFailure(facts, more);

    /// <summary>The provider could not be reached or answered nonsense: its "unavailable" row, with the cause in the message.</summary>
    public ProviderFailure Unavailable(string message, string? original, params (string Key, string? Value)[] more)
    {
        var facts = new ErrorFacts(Message: original);
        return ProviderErrors.Get($"{provider.ToString().ToLowerInvariant()}.unavailable").ToFailure(facts, more) with { Message = message };
    }

    /// <summary>The string value of a JSON property, when it is one.</summary>
    public static string? Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>
    /// Message extraction shared by the providers whose errors are {"error": "..."} (Runway, Leonardo), with Runway's
    /// validation issues ({"issues": [{"path": [...], "message"}]}) appended as "path: message".
    /// </summary>
    public static string? ErrorMember(string body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            var message = Text(node, "error") ?? Text(node?["error"], "message") ?? Text(node, "message");
            var issues = (node?["issues"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(i => $"{string.Join(".", (i["path"] as JsonArray ?? []).Select(p => p?.ToString()))}: {Text(i, "message")}")
                .ToList();
            return issues.Count == 0 ? message : $"{message}; {string.Join("; ", issues)}";
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }

    public void Dispose() => pipeline.Dispose();
}
