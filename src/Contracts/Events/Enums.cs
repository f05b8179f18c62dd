namespace CinematicSwitch.Contracts.Events;

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

public enum CreditSource
{
    Unknown,
    Reported,
    RateTable,
}
