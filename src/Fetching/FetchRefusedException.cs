namespace CinematicSwitch.Fetching;

/// <summary>Why a guarded fetch did not happen.</summary>
public enum FetchRefusal
{
    /// <summary>The URL itself: scheme, credentials, an address literal or origin that is not allowed, the caller's own rules.</summary>
    Url,

    /// <summary>The host resolved to no address a guarded fetch may connect to.</summary>
    Address,

    /// <summary>More redirects than <see cref="FetchGuardOptions.MaxRedirects"/>.</summary>
    TooManyRedirects,
}

/// <summary>A guarded fetch refused. The message names the host and the rule, never the whole URL (it can carry a token).</summary>
public sealed class FetchRefusedException(FetchRefusal refusal, string message, Exception? inner = null) : Exception(message, inner)
{
    public FetchRefusal Refusal { get; } = refusal;
}

/// <summary>Thrown by the connect step; surfaces from the handler wrapped in an HttpRequestException.</summary>
internal sealed class RefusedAddressException(string message) : Exception(message);
