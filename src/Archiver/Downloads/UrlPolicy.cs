using System.Net;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>
/// Which URLs the archiver fetches (SSRF defence, first half: the URL; the second half checks the resolved
/// address when connecting, see <see cref="GuardedConnector"/>). Allowed: https on a configured provider host,
/// and the configured loopback origins of the embedded stack. Everything else — other schemes (file:, ftp:,
/// data:, gopher:...), other hosts, credentials in the URL, IP literals that are not public — is refused.
/// Every redirect hop is checked again.
/// </summary>
internal sealed class UrlPolicy
{
    private readonly string[] _exactHosts;
    private readonly string[] _suffixes;
    private readonly HashSet<(string Scheme, string Host, int Port)> _loopbackOrigins;

    public UrlPolicy(DownloadOptions options)
    {
        var hosts = options.EffectiveAllowedHosts.Select(Normalize).ToList();
        _exactHosts = [.. hosts.Where(h => !h.StartsWith("*.", StringComparison.Ordinal))];
        _suffixes = [.. hosts.Where(h => h.StartsWith("*.", StringComparison.Ordinal)).Select(h => h[1..])];
        _loopbackOrigins = options.LoopbackOrigins
            .Select(o => new Uri(o))
            .Select(u => (u.Scheme, Normalize(u.IdnHost), u.Port))
            .ToHashSet();
    }

    /// <summary>Null when <paramref name="url"/> may be fetched, else why not (naming the host, never the whole URL).</summary>
    public string? Refusal(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            return "not an absolute URL";
        }

        if (url.Scheme is not ("https" or "http"))
        {
            return $"the {url.Scheme}: scheme is not allowed";
        }

        if (url.UserInfo.Length > 0)
        {
            return "URLs with credentials are not fetched";
        }

        var host = Normalize(url.IdnHost);
        if (IsLoopbackOrigin(url.Scheme, host, url.Port))
        {
            return null;
        }

        if (url.Scheme != "https")
        {
            return $"plain http to {host} is not allowed";
        }

        if (!IsAllowedHost(host))
        {
            return $"{host} is not an allowed provider host";
        }

        if (IPAddress.TryParse(host, out var literal) && !AddressRules.IsPublic(literal))
        {
            return $"{host} is not a public address";
        }

        return null;
    }

    /// <summary>Whether a connection to host:port is one of the loopback origins (over either scheme).</summary>
    public bool IsLoopbackOrigin(string host, int port)
    {
        var normalized = Normalize(host);
        return _loopbackOrigins.Any(o => o.Host == normalized && o.Port == port);
    }

    private bool IsLoopbackOrigin(string scheme, string host, int port) => _loopbackOrigins.Contains((scheme, host, port));

    private bool IsAllowedHost(string host) =>
        _exactHosts.Contains(host, StringComparer.Ordinal)
        || _suffixes.Any(suffix => host.EndsWith(suffix, StringComparison.Ordinal) && host.Length > suffix.Length);

    /// <summary>Lower case, without IPv6 brackets or a trailing root dot, so "Example.COM." and "example.com" match.</summary>
    private static string Normalize(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
