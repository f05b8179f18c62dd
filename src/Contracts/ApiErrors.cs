using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Contracts;

/// <summary>An error as the HTTP API shows it: the service spec's code, HTTP status and message.</summary>
public sealed record ApiError(string Code, int StatusCode, string Message);

/// <summary>
/// The one mapping between the two error vocabularies (DESIGN.md, "Contracts"): events carry the skills'
/// codes (Runway provider spec); the HTTP API answers with the service spec's. README, "Error codes".
/// </summary>
public static class ApiErrors
{
    public const string InvalidInput = "INVALID_INPUT";
    public const string Timeout = "TIMEOUT";

    // Codes of the HTTP API for situations the spec does not describe.
    public const string Unauthorized = "UNAUTHORIZED";
    public const string NotFound = "NOT_FOUND";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string IdempotencyConflict = "IDEMPOTENCY_CONFLICT";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string TooManyRequests = "TOO_MANY_REQUESTS";
    public const string InternalError = "INTERNAL_ERROR";

    public static ApiError From(ErrorInfo error) => error.Code switch
    {
        // The event's message is already the spec's user-facing message for what was invalid.
        ErrorCode.InvalidInput => new ApiError(InvalidInput, 400, error.Message),
        ErrorCode.TimeoutError => new ApiError(Timeout, 504, UserMessages.Timeout),
        // Content policy, quota and provider failures are the provider's error to the API's callers; the spec
        // answers them with status 400 and the provider's message in details.
        _ => new ApiError(ProviderCode(error.Provider), 400, UserMessages.TransformationFailed),
    };

    /// <summary>REPLICATE_ERROR, RUNWAY_ERROR, LEONARDO_ERROR; PROVIDER_ERROR when no provider is known.</summary>
    public static string ProviderCode(Provider? provider) => provider switch
    {
        Provider.Replicate => "REPLICATE_ERROR",
        Provider.Runway => "RUNWAY_ERROR",
        Provider.Leonardo => "LEONARDO_ERROR",
        _ => "PROVIDER_ERROR",
    };
}
