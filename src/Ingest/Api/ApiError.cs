using System.Text.Json.Serialization;
using CinematicSwitch.Contracts;

namespace CinematicSwitch.Ingest.Api;

/// <summary>The "error" object of the service spec's error JSON: code, message, details, statusCode.</summary>
public sealed record ErrorBody(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("details")] IReadOnlyDictionary<string, object?> Details,
    [property: JsonPropertyName("statusCode")] int StatusCode);

/// <summary>The spec's error envelope: <c>{"success": false, "error": {...}}</c>.</summary>
public sealed record ErrorEnvelope(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("error")] ErrorBody Error);

/// <summary>
/// A request the API refuses, with the answer to give. Thrown from wherever the problem is found (deep inside a
/// streaming upload, say) and turned into the error JSON by <see cref="ApiErrorMiddleware"/>. Its message is the
/// user-facing one, never user content.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException()
        : this(new ErrorBody(ApiErrors.InvalidInput, UserMessages.MediaUpload, new Dictionary<string, object?>(), 400))
    {
    }

    public ApiException(string message)
        : this(new ErrorBody(ApiErrors.InvalidInput, message, new Dictionary<string, object?>(), 400))
    {
    }

    public ApiException(string message, Exception innerException)
        : this(new ErrorBody(ApiErrors.InvalidInput, message, new Dictionary<string, object?>(), 400), innerException)
    {
    }

    public ApiException(ErrorBody error, Exception? innerException = null)
        : base(error.Message, innerException) => Error = error;

    public ErrorBody Error { get; }
}

/// <summary>The API's refusals, in one place so that each rule has exactly one code, status and message.</summary>
internal static class Problems
{
    public static ApiException Invalid(string message, string field, string reason, params (string Key, object? Value)[] extra) =>
        new(Body(ApiErrors.InvalidInput, message, 400, [("field", field), ("reason", reason), .. extra]));

    public static ApiException Missing(string field, string reason) => Invalid(UserMessages.MissingField(field), field, reason);

    public static ApiException InvalidValue(string field, string reason, params (string Key, object? Value)[] extra) =>
        Invalid(UserMessages.InvalidField(field), field, reason, extra);

    public static ApiException Description(string field, string reason, params (string Key, object? Value)[] extra) =>
        Invalid(UserMessages.TextValidation, field, reason, extra);

    public static ApiException Media(string reason, params (string Key, object? Value)[] extra) =>
        Invalid(UserMessages.MediaUpload, "media", reason, extra);

    public static ApiException UnsupportedFormat(string reason) => Invalid(UserMessages.UnsupportedFormat, "media", reason);

    /// <summary>413: media (or a whole body) over the spec's limits.</summary>
    public static ApiException TooLarge(long maxBytes, string what, string field = "media") =>
        new(Body(ApiErrors.InvalidInput, UserMessages.MediaUpload, 413,
            ("field", field), ("reason", $"The {what} is larger than {maxBytes} bytes."), ("max_bytes", maxBytes)));

    public static ApiException Unauthorized() => new(Body(ApiErrors.Unauthorized, UserMessages.Unauthorized, 401));

    public static ApiException NotFound() => new(Body(ApiErrors.NotFound, UserMessages.RequestNotFound, 404));

    /// <summary>What routing answers without a body (no such path, or not with this method), as the spec's error JSON.</summary>
    public static ErrorBody Routing(int status) => status == StatusCodes.Status405MethodNotAllowed
        ? Body(ApiErrors.MethodNotAllowed, UserMessages.MethodNotAllowed, status)
        : Body(ApiErrors.NotFound, UserMessages.EndpointNotFound, status);

    public static ApiException InProgress() =>
        new(Body(ApiErrors.IdempotencyConflict, UserMessages.IdempotencyInProgress, 409, ("header", "Idempotency-Key")));

    public static ApiException UnsupportedContentType(string? contentType) =>
        new(Body(ApiErrors.InvalidInput, UserMessages.UnsupportedContentType, 415, ("content_type", contentType ?? "")));

    /// <summary>503: a dependency (Kafka, the schema registry, S3) did not answer; nothing was accepted.</summary>
    public static ApiException Unavailable(string dependency, Exception cause) =>
        new(Body(ApiErrors.ServiceUnavailable, UserMessages.ServiceUnavailable, 503, ("dependency", dependency), ("outcome", "not_accepted")), cause);

    /// <summary>
    /// 503: the brokers did not confirm the event in time, and it may have been written. The request exists or will
    /// (<see cref="Intake.InDoubtRequests"/>): a retry with the same Idempotency-Key answers with this request id.
    /// </summary>
    public static ApiException OutcomeUnknown(Guid requestId, string dependency, Exception? cause) =>
        new(Body(ApiErrors.ServiceUnavailable, UserMessages.OutcomeUnknown, 503,
            ("dependency", dependency), ("outcome", "unknown"), ("request_id", requestId)), cause);

    public static ErrorBody Body(string code, string message, int status, params (string Key, object? Value)[] details) =>
        new(code, message, details.ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal), status);
}
