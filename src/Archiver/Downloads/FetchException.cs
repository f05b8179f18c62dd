namespace CinematicSwitch.Archiver.Downloads;

/// <summary>Why an output could not be fetched. The snake_case name is what metrics and event details carry.</summary>
public enum FetchFailureReason
{
    /// <summary>The URL is not one the archiver may fetch (scheme, host, address, redirect target): never retried.</summary>
    Refused,

    /// <summary>401, 403, 404 or 410: a provider link that expired or was removed.</summary>
    Expired,

    /// <summary>Any other unsuccessful status, or a redirect without a target or past the hop limit.</summary>
    HttpError,

    TooLarge,

    /// <summary>Not an image or video of an accepted format, by its Content-Type or by its content.</summary>
    WrongType,

    Timeout,

    /// <summary>Connection refused or reset, DNS failure, TLS failure, a body cut short.</summary>
    Network,
}

/// <summary>One download attempt failed. Messages name the host and status, never the URL (it can carry a token).</summary>
public sealed class FetchException(FetchFailureReason reason, string message, int? httpStatus = null, Exception? inner = null)
    : Exception(message, inner)
{
    public FetchFailureReason Reason { get; } = reason;

    public int? HttpStatus { get; } = httpStatus;

    public static string Code(FetchFailureReason reason) => reason switch
    {
        FetchFailureReason.Refused => "refused",
        FetchFailureReason.Expired => "expired",
        FetchFailureReason.HttpError => "http_error",
        FetchFailureReason.TooLarge => "too_large",
        FetchFailureReason.WrongType => "wrong_type",
        FetchFailureReason.Timeout => "timeout",
        _ => "network",
    };
}

/// <summary>Thrown from the connect step when a host resolves to no address a download may reach.</summary>
internal sealed class RefusedAddressException(string message) : Exception(message);
