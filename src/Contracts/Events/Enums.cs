namespace CinematicSwitch.Contracts.Events;

/// <summary>The values of the contracts' enums that this build knows.</summary>
public static class ContractEnums
{
    /// <summary>
    /// False for Unknown (every contract enum's zero value: what a reader sees for a symbol added after it was built) and for
    /// numbers no member has.
    /// </summary>
    public static bool IsKnown<TEnum>(this TEnum value)
        where TEnum : struct, Enum =>
        Enum.IsDefined(value) && !EqualityComparer<TEnum>.Default.Equals(value, default);
}

/// <summary>What a request asks for. Unknown is what older readers see for values added later.</summary>
public enum TransformationTask
{
    Unknown,
    ImageTransform,
    ImageToVideo,
    TextToVideo,
    VideoToVideo,
}

public enum MediaKind
{
    Unknown,
    Image,
    Video,
}

public enum Provider
{
    Unknown,
    Replicate,
    Runway,
    Leonardo,
}

/// <summary>Error codes of events, in the skills' vocabulary; <see cref="ApiErrors"/> maps them to the HTTP API's.</summary>
public enum ErrorCode
{
    Unknown,

    /// <summary>The request cannot be attempted: unreadable media, a capability no provider has.</summary>
    InvalidInput,

    /// <summary>The provider refused the input: content policy.</summary>
    InputValidationError,

    /// <summary>Out of provider credits or quota.</summary>
    QuotaExceededError,

    /// <summary>The provider failed, or its output could not be archived.</summary>
    ProviderError,

    /// <summary>The provider did not finish in time.</summary>
    TimeoutError,
}

public enum FailureStage
{
    Unknown,
    Processing,
    Archiving,
}

/// <summary>Where the credits of a result come from.</summary>
public enum CreditSource
{
    Unknown,

    /// <summary>The provider's own response said what the generation cost.</summary>
    Reported,

    /// <summary>Estimated from the configured per-model rate table (the provider does not report cost).</summary>
    RateTable,
}
