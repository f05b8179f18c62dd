namespace CinematicSwitch.Archiver.Downloads;

/// <summary>Why an output could not be fetched. The snake_case name is what metrics and event details carry.</summary>
public enum FetchFailureReason
{
    /// <summary>The URL is not one the archiver may fetch (scheme, host, address, redirect target): never retried.</summary>
    Refused,

    /// <summary>401, 403, 404 or 410: a provider link that expired or was removed.</summary>
    Expired,

    /// <summary>Any other unsuccessful status, or a redirect without a target.</summary>
    HttpError,

    /// <summary>Redirects past the hop limit: a loop, or a chain the archiver will not follow.</summary>
    TooManyRedirects,

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

    /// <summary>
    /// A failure another attempt cannot fix, given up at once: a refused URL, content too large or of the wrong type, a
    /// redirect loop, a client error status (but 408 and 429, and the expiry statuses 401, 403, 404 and 410: a provider's
    /// link is retried until the deadline, as its storage can lag behind its answer).
    /// </summary>
    public bool IsPermanent => Reason switch
    {
        FetchFailureReason.Refused or FetchFailureReason.TooLarge or FetchFailureReason.WrongType or FetchFailureReason.TooManyRedirects => true,
        FetchFailureReason.HttpError => HttpStatus is >= 400 and < 500 and not 408 and not 429,
        _ => false,
    };

    public static string Code(FetchFailureReason reason) => reason switch
    {
        FetchFailureReason.Refused => "refused",
        FetchFailureReason.Expired => "expired",
        FetchFailureReason.HttpError => "http_error",
        FetchFailureReason.TooManyRedirects => "too_many_redirects",
        FetchFailureReason.TooLarge => "too_large",
        FetchFailureReason.WrongType => "wrong_type",
        FetchFailureReason.Timeout => "timeout",
        _ => "network",
    };
}
