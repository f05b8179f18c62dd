using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CinematicSwitch.Fetching;

/// <summary>How a service's guarded fetches behave. Services bind it (or a subclass) from their own section.</summary>
public class FetchGuardOptions : IValidatableObject
{
    /// <summary>
    /// Development only: origins on loopback (e.g. "http://127.0.0.1:5101") that may be fetched although loopback is
    /// refused otherwise — the embedded stack's provider simulators and the tests' media servers. Exact scheme, host and
    /// port; connections to them may reach loopback addresses only. Empty by default; never set it in production.
    /// </summary>
    public List<string> LoopbackOrigins { get; set; } = [];

    /// <summary>Redirects followed per fetch, each hop checked again.</summary>
    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in LoopbackOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                yield return new ValidationResult($"\"{origin}\" is not an origin such as http://127.0.0.1:5101.", [nameof(LoopbackOrigins)]);
            }
            else if (!IsLoopbackHost(uri.Host))
            {
                yield return new ValidationResult($"\"{origin}\" is not on loopback: only loopback origins can be allowed.", [nameof(LoopbackOrigins)]);
            }
        }
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
