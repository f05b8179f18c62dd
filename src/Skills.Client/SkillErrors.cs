using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Skills.Client;

/// <summary>The skill error codes of the Runway provider spec ("Response Handling"), mapped from a failed event's code.</summary>
public static class SkillErrors
{
    /// <summary>Insufficient credits or quota.</summary>
    public const string QuotaExceeded = "QUOTA_EXCEEDED_ERROR";

    /// <summary>The input was refused: content policy, or a request no provider can serve.</summary>
    public const string InputValidation = "INPUT_VALIDATION_ERROR";

    /// <summary>The generation (or archiving its output) failed.</summary>
    public const string ProviderError = "PROVIDER_ERROR";

    /// <summary>The provider did not finish in time.</summary>
    public const string Timeout = "TIMEOUT_ERROR";

    /// <summary>
    /// The skill code of an event's code. INVALID_INPUT (the request itself cannot be served: a prompt out of bounds,
    /// a loop or ratio no configured provider makes) is the skill's input error too, as in src/Providers' code table.
    /// </summary>
    public static string From(ErrorCode code) => code switch
    {
        ErrorCode.QuotaExceededError => QuotaExceeded,
        ErrorCode.InputValidationError or ErrorCode.InvalidInput => InputValidation,
        ErrorCode.TimeoutError => Timeout,
        _ => ProviderError,
    };
}

/// <summary>A request that ended in a failed event: the skill error code and the provider's reason.</summary>
public sealed class SkillVideoException : Exception
{
    public SkillVideoException()
    {
        Code = SkillErrors.ProviderError;
        Reason = "";
    }

    public SkillVideoException(string message)
        : base(message)
    {
        Code = SkillErrors.ProviderError;
        Reason = message;
    }

    public SkillVideoException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = SkillErrors.ProviderError;
        Reason = message;
    }

    internal SkillVideoException(TransformationFailed failed)
        : base($"{SkillErrors.From(failed.Error.Code)}: {ReasonOf(failed.Error)}")
    {
        RequestId = failed.RequestId;
        Code = SkillErrors.From(failed.Error.Code);
        Reason = ReasonOf(failed.Error);
        Provider = failed.Error.Provider?.ToString().ToLowerInvariant();
        Details = failed.Error.Details;
    }

    public Guid RequestId { get; }

    /// <summary>One of <see cref="SkillErrors"/>' codes.</summary>
    public string Code { get; }

    /// <summary>The provider's own message where it gave one, else the pipeline's.</summary>
    public string Reason { get; }

    /// <summary>The provider that failed, when one was asked.</summary>
    public string? Provider { get; }

    /// <summary>The failure's details (error row, owner, provider status, job id); never secrets or user content.</summary>
    public IReadOnlyDictionary<string, string> Details { get; } = new Dictionary<string, string>();

    private static string ReasonOf(ErrorInfo error) =>
        error.Details.TryGetValue("originalError", out var original) && original.Length > 0 ? original : error.Message;
}
