using System.Net;
using System.Net.Sockets;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>
/// The connect step of the download client (SSRF defence, second half): resolves the host itself and connects
/// only to addresses the policy allows — public ones, or loopback ones for a configured loopback origin. Checking
/// the address actually connected to (not an earlier lookup) defeats DNS rebinding and names that point inside.
/// </summary>
internal sealed class GuardedConnector(UrlPolicy policy)
{
    /// <summary>An HTTP handler that connects through this guard: no proxy, no automatic redirects, no cookies.</summary>
    public SocketsHttpHandler CreateHandler(DownloadOptions options) => new()
    {
        ConnectCallback = ConnectAsync,
        ConnectTimeout = options.ConnectTimeout,
        // Redirects are followed by the downloader, which checks each hop against the policy.
        AllowAutoRedirect = false,
        // A proxy would make the connect step see the proxy, not the target.
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    };

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var loopbackOrigin = policy.IsLoopbackOrigin(endpoint.Host, endpoint.Port);
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        var permitted = addresses.Where(a => loopbackOrigin ? IPAddress.IsLoopback(a) : AddressRules.IsPublic(a)).ToArray();
        if (permitted.Length == 0)
        {
            throw new RefusedAddressException(
                $"{endpoint.Host} resolves to {(addresses.Length == 0 ? "no address" : "no public address")}; not connecting");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
