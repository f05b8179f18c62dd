using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>An input file a client uploaded to a simulator (Runway's ephemeral uploads, Replicate's files).</summary>
public sealed record StoredAsset(string Id, string ContentType, byte[] Bytes, DateTimeOffset CreatedAt);

/// <summary>
/// How a simulator checks the media a request names, as the real API does: https URLs on a domain name (Runway refuses
/// http:// and IP hosts; <see cref="SimulatorOptions.AcceptLoopbackOrigins"/> lets loopback origins through for stacks that
/// serve media on 127.0.0.1), data URIs within a cap, and its own uploads. Also reads the pixel size of PNG and JPEG inputs.
/// </summary>
public sealed class Assets(bool acceptLoopbackOrigins)
{
    private readonly ConcurrentDictionary<string, StoredAsset> stored = new(StringComparer.Ordinal);

    public void Store(StoredAsset asset) => stored[asset.Id] = asset;

    public StoredAsset? Find(string id) => stored.GetValueOrDefault(id);

    public bool Remove(string id) => stored.TryRemove(id, out _);

    public IReadOnlyCollection<StoredAsset> All => [.. stored.Values];

    public void Clear() => stored.Clear();

    /// <summary>Why a URL is refused by a provider that wants https on a domain name; null when it is accepted.</summary>
    public string? UrlRefusal(Uri uri) => UrlRefusal(uri, acceptLoopbackOrigins);

    /// <summary>The same rule, for URLs other than media (webhook targets), with its own loopback allowance.</summary>
    public static string? UrlRefusal(Uri uri, bool acceptLoopback)
    {
        var loopback = uri.IsLoopback || string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);
        if (loopback && acceptLoopback && uri.Scheme is "http" or "https")
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "Only HTTPS URLs are allowed.";
        }

        return uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)
            ? "URLs must be hosted on a domain."
            : null;
    }

    /// <summary>Decoded bytes of a base64 data URI (null when it is not one) and its content type.</summary>
    public static (byte[] Bytes, string ContentType)? DataUri(string? uri)
    {
        if (uri is null || !uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var comma = uri.IndexOf(',', StringComparison.Ordinal);
        var header = comma > 5 ? uri[5..comma] : "";
        if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return (Convert.FromBase64String(uri[(comma + 1)..]), header[..^";base64".Length]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Width and height of a PNG or JPEG, from its header; null for anything else.</summary>
    public static (int Width, int Height)? ImageSize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return (BinaryPrimitives.ReadInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));
        }

        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
        {
            return null;
        }

        // JPEG: walk the segments to a start-of-frame marker (C0-CF, except C4 DHT, C8 JPG and CC DAC).
        for (var i = 2; i + 9 < bytes.Length;)
        {
            if (bytes[i] != 0xFF)
            {
                return null;
            }

            var marker = bytes[i + 1];
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 5)..]));
            }

            i += 2 + length;
        }

        return null;
    }
}
