using System.Net;
using System.Net.Sockets;

namespace CinematicSwitch.Fetching;

/// <summary>
/// The one way the services fetch a URL someone else named (SSRF defence). Each hop's URL is checked (http or https, no
/// credentials, no address literal outside the global internet, the caller's own rules), redirects are followed here
/// hop by hop up to <see cref="FetchGuardOptions.MaxRedirects"/>, and the connect step resolves the host itself and
/// dials only addresses <see cref="SpecialAddresses"/> allows: the addresses checked are the ones connected to, so a
/// DNS answer cannot change between check and use (rebinding). No proxy is used: it would be the one connected to.
/// </summary>
public sealed class FetchGuard : IDisposable
{
    private readonly FetchGuardOptions _options;
    private readonly HashSet<(string Scheme, string Host, int Port)> _loopbackOrigins;
    private readonly HashSet<(string Host, int Port)> _trusted;
    private readonly HashSet<(string Host, int Port)> _refused;
    private readonly HttpClient _http;

    /// <param name="trustedOrigins">
    /// The service's own endpoints whose links it made itself (the processor's S3 endpoint, whose presigned links it reads
    /// back): fetched at whatever address they have, on a first hop only — a redirect there is refused.
    /// </param>
    /// <param name="refusedOrigins">Origins never fetched (Ingest: the project's own S3 endpoint).</param>
    public FetchGuard(FetchGuardOptions options, IEnumerable<Uri>? trustedOrigins = null, IEnumerable<Uri>? refusedOrigins = null)
    {
        _options = options;
        _loopbackOrigins = options.LoopbackOrigins.Select(o => new Uri(o)).Select(u => (u.Scheme, Normalize(u.IdnHost), u.Port)).ToHashSet();
        _trusted = (trustedOrigins ?? []).Select(u => (Normalize(u.IdnHost), u.Port)).ToHashSet();
        _refused = (refusedOrigins ?? []).Select(u => (Normalize(u.IdnHost), u.Port)).ToHashSet();
        _http = new HttpClient(CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// GETs <paramref name="url"/> (response headers read), following redirects; every hop must pass <see cref="Refusal"/> and
    /// <paramref name="policy"/> (null: allowed, else why not). The response is the first that is not a redirect, or a
    /// redirect without a Location. Cancelling <paramref name="cancellationToken"/> throws OperationCanceledException.
    /// </summary>
    /// <exception cref="FetchRefusedException">A hop's URL or address was refused, or there were too many redirects.</exception>
    /// <exception cref="HttpRequestException">The network failed.</exception>
    public async Task<HttpResponseMessage> GetAsync(Uri url, Func<Uri, string?>? policy, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            if ((Refusal(url, firstHop: hop == 0) ?? policy?.Invoke(url)) is { } why)
            {
                throw new FetchRefusedException(FetchRefusal.Url, hop == 0 ? why : $"redirect refused: {why}");
            }

            HttpResponseMessage response;
            using (var request = new HttpRequestMessage(HttpMethod.Get, url))
            {
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                }
                catch (HttpRequestException e) when (RefusedAddress(e) is { } refused)
                {
                    throw new FetchRefusedException(FetchRefusal.Address, refused.Message, e);
                }
            }

            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (hop >= _options.MaxRedirects)
            {
                throw new FetchRefusedException(FetchRefusal.TooManyRedirects, $"more than {_options.MaxRedirects} redirects");
            }

            url = location.IsAbsoluteUri ? location : new Uri(url, location);
        }
    }

    /// <summary>Null when <paramref name="url"/> may be fetched as far as the guard is concerned, else why not (naming the host only).</summary>
    public string? Refusal(Uri url, bool firstHop = true)
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
        if (_refused.Contains((host, url.Port)))
        {
            return $"{host}:{url.Port} is this service's own storage";
        }

        if (_trusted.Contains((host, url.Port)))
        {
            return firstHop ? null : $"{host}:{url.Port} is this service's own storage";
        }

        if (IsLoopbackOrigin(url))
        {
            return null;
        }

        return IPAddress.TryParse(host, out var literal) && SpecialAddresses.Refusal(literal) is { } block
            ? $"{host} is not a public address ({block})"
            : null;
    }

    /// <summary>Whether <paramref name="url"/> is on one of the configured loopback origins (development).</summary>
    public bool IsLoopbackOrigin(Uri url) => _loopbackOrigins.Contains((url.Scheme, Normalize(url.IdnHost), url.Port));

    public void Dispose() => _http.Dispose();

    private SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        ConnectTimeout = _options.ConnectTimeout,
        // Redirects are followed by GetAsync, which checks each hop.
        AllowAutoRedirect = false,
        // A proxy would be what the connect step sees, not the target.
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        // New connections resolve the host again, and are checked again.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = Normalize(context.DnsEndPoint.Host);
        var port = context.DnsEndPoint.Port;
        Func<IPAddress, bool> permitted = _trusted.Contains((host, port)) ? _ => true
            : _loopbackOrigins.Any(o => o.Host == host && o.Port == port) ? IPAddress.IsLoopback
            : SpecialAddresses.IsGloballyReachable;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(permitted).ToArray();
        if (allowed.Length == 0)
        {
            throw new RefusedAddressException(addresses.Length == 0
                ? $"{host} resolves to no address"
                : $"{host} resolves to no public address ({SpecialAddresses.Refusal(addresses[0]) ?? "loopback only for a loopback origin"})");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static RefusedAddressException? RefusedAddress(Exception? e) => e switch
    {
        null => null,
        RefusedAddressException refused => refused,
        _ => RefusedAddress(e.InnerException),
    };

    /// <summary>Lower case, without IPv6 brackets or a trailing root dot, so "Example.COM." and "example.com" match.</summary>
    private static string Normalize(string host) => host.Trim('[', ']').TrimEnd('.').ToLowerInvariant();
}
