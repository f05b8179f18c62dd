using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Api;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Media given inside JSON (the spec's /dev/run "image": "base64_encoded_image_data_or_url"): base64, a data: URI, or
/// an http(s) URL that is fetched and streamed to S3 like an upload, with the same recognition and limits.
/// </summary>
internal sealed class JsonMedia(IHttpClientFactory http, IOptions<IngestOptions> options)
{
    public const string ClientName = "media-fetch";

    private readonly MediaFetchOptions _fetch = options.Value.MediaFetch;

    public async Task UploadAsync(JsonElement value, IntakeSession session, CancellationToken cancellationToken)
    {
        var field = session.Context.Contract.MediaField;
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "Send the media as a base64 string, a data: URI or an http(s) URL.");
        }

        // The raw token of a string includes its quotes.
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.StartsWith("http://"u8) || raw.StartsWith("https://"u8))
        {
            await FetchAsync(value.GetString()!, session, cancellationToken);
            return;
        }

        var decoded = Decode(value, raw, field);
        try
        {
            using var content = new MemoryStream(decoded.Buffer, 0, decoded.Length, writable: false);
            await session.UploadMediaAsync(content, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded.Buffer);
        }
    }

    /// <summary>Decodes base64 straight from the JSON bytes (no string of the size of the media is made).</summary>
    private static (byte[] Buffer, int Length) Decode(JsonElement value, ReadOnlySpan<byte> raw, string field)
    {
        // Escaped JSON strings ("\/" is a legal way to write "/") are rare: unescape those the ordinary way.
        ReadOnlySpan<byte> text = raw.Contains((byte)'\\') ? System.Text.Encoding.UTF8.GetBytes(value.GetString()!) : raw;
        if (text.StartsWith("data:"u8))
        {
            var comma = text.IndexOf((byte)',');
            if (comma < 0 || !text[..comma].EndsWith(";base64"u8))
            {
                throw Problems.Invalid(UserMessages.MediaUpload, field, "A data: URI must be base64-encoded (data:<type>;base64,...).");
            }

            text = text[(comma + 1)..];
        }

        if (text.IsEmpty)
        {
            throw Problems.Missing(field, "A photo or video file is required.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(text.Length));
        if (Base64.DecodeFromUtf8(text, buffer, out _, out var written) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw Problems.Invalid(UserMessages.MediaUpload, field, "The media is neither valid base64 nor an http(s) URL.");
        }

        return (buffer, written);
    }

    private async Task FetchAsync(string url, IntakeSession session, CancellationToken cancellationToken)
    {
        var field = session.Context.Contract.MediaField;
        if (!_fetch.Enabled)
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "Media URLs are not accepted here: upload the file or send it as base64.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "The media URL is not a valid absolute URL.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_fetch.TimeoutSeconds));
        try
        {
            using var response = await http.CreateClient(ClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Problems.Invalid(UserMessages.MediaUpload, field, $"Fetching the media URL answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > MediaFormats.MaxVideoBytes)
            {
                throw Problems.TooLarge(MediaFormats.MaxVideoBytes, "media at the URL", field);
            }

            await using var content = await response.Content.ReadAsStreamAsync(timeout.Token);
            await session.UploadMediaAsync(content, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The URL's server, not ours, failed: the caller's input is what cannot be used.
            throw Problems.Invalid(UserMessages.MediaUpload, field,
                e is OperationCanceledException ? $"Fetching the media URL took longer than {_fetch.TimeoutSeconds} seconds." : "The media URL could not be fetched.");
        }
    }

    /// <summary>
    /// The fetching client's connection step: it connects only to public addresses (unless configured otherwise), so a
    /// media URL cannot reach the service's own network (SSRF). Checked per connection, redirects included, on the
    /// addresses actually dialled, so DNS answers cannot change between the check and the connect.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(MediaFetchOptions options) => new()
    {
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 3,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var allowed = addresses.Where(a => options.AllowPrivateNetworks || IsPublic(a)).ToArray();
            if (allowed.Length == 0)
            {
                throw new HttpRequestException("The media URL does not resolve to a public address.");
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return (first & 0xFE) != 0xFC; // fc00::/7, unique local
        }

        var b = address.GetAddressBytes();
        return !(b[0] == 10
                 || b[0] == 0
                 || (b[0] == 100 && b[1] >= 64 && b[1] < 128) // carrier-grade NAT
                 || (b[0] == 169 && b[1] == 254) // link-local, cloud metadata
                 || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                 || (b[0] == 192 && b[1] == 168)
                 || b[0] >= 224); // multicast, reserved
    }
}
