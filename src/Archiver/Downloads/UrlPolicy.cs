using CinematicSwitch.Fetching;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>
/// The archiver's own rule on top of the SSRF guard (<see cref="FetchGuard"/>, which refuses schemes other than http(s),
/// credentials, and addresses outside the public internet): outputs come over https from a configured provider host, or
/// from a configured loopback origin of the embedded stack. Checked on every redirect hop.
/// </summary>
internal sealed class UrlPolicy
{
    private readonly string[] _exactHosts;
    private readonly string[] _suffixes;
    private readonly FetchGuard _guard;

    public UrlPolicy(DownloadOptions options, FetchGuard guard)
    {
        var hosts = options.EffectiveAllowedHosts.Select(Normalize).ToList();
        _exactHosts = [.. hosts.Where(h => !h.StartsWith("*.", StringComparison.Ordinal))];
        _suffixes = [.. hosts.Where(h => h.StartsWith("*.", StringComparison.Ordinal)).Select(h => h[1..])];
        _guard = guard;
    }

    /// <summary>Null when <paramref name="url"/> (already passed by the guard) is a provider's, else why not (naming the host only).</summary>
    public string? Refusal(Uri url)
    {
        if (_guard.IsLoopbackOrigin(url))
        {
            return null;
        }

        var host = Normalize(url.IdnHost);
        if (url.Scheme != "https")
        {
            return $"plain http to {host} is not allowed";
        }

        return IsAllowedHost(host) ? null : $"{host} is not an allowed provider host";
    }

    private bool IsAllowedHost(string host) =>
        _exactHosts.Contains(host, StringComparer.Ordinal)
        || _suffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length);

    /// <summary>Lower case, without IPv6 brackets or a trailing root dot, so "Example.COM." and "example.com" match.</summary>
    private static string Normalize(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
