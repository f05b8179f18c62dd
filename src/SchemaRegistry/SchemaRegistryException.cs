using System.Net;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>
/// The registry answered a request with a client error (4xx): the subject, version or schema does not exist, a
/// schema is invalid or incompatible, credentials are wrong. Retrying the same request gives the same answer,
/// so this deliberately is not an <see cref="HttpRequestException"/>: an unreachable or failing registry (5xx)
/// surfaces as <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>, which callers retry.
/// </summary>
public sealed class SchemaRegistryException : Exception
{
    public SchemaRegistryException()
    {
    }

    public SchemaRegistryException(string message)
        : base(message)
    {
    }

    public SchemaRegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SchemaRegistryException(HttpStatusCode status, int errorCode, string message)
        : base(message)
    {
        Status = status;
        ErrorCode = errorCode;
    }

    public HttpStatusCode Status { get; }

    /// <summary>The registry's error code (40401, 409, 42201, ...: see <see cref="Rest.RegistryErrorCodes"/>).</summary>
    public int ErrorCode { get; }
}
