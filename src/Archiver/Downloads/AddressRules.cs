using System.Net;
using System.Net.Sockets;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>
/// Which IP addresses a download may connect to: public unicast only. Loopback, private (RFC 1918, unique local),
/// link-local (cloud metadata at 169.254.169.254), shared (CGNAT), multicast, reserved and documentation ranges are
/// not, nor IPv6 forms that embed such an IPv4 address.
/// </summary>
internal static class AddressRules
{
    private static readonly (byte[] Prefix, int Bits)[] NonPublicV4 =
    [
        ([0, 0, 0, 0], 8),          // "this network"
        ([10, 0, 0, 0], 8),         // private
        ([100, 64, 0, 0], 10),      // shared address space (CGNAT)
        ([127, 0, 0, 0], 8),        // loopback
        ([169, 254, 0, 0], 16),     // link-local, cloud metadata services
        ([172, 16, 0, 0], 12),      // private
        ([192, 0, 0, 0], 24),       // IETF protocol assignments
        ([192, 0, 2, 0], 24),       // documentation
        ([192, 88, 99, 0], 24),     // 6to4 relay anycast
        ([192, 168, 0, 0], 16),     // private
        ([198, 18, 0, 0], 15),      // benchmarking
        ([198, 51, 100, 0], 24),    // documentation
        ([203, 0, 113, 0], 24),     // documentation
        ([224, 0, 0, 0], 4),        // multicast
        ([240, 0, 0, 0], 4),        // reserved, broadcast
    ];

    private static readonly (byte[] Prefix, int Bits)[] NonPublicV6 =
    [
        (IPAddress.IPv6None.GetAddressBytes(), 128),                     // unspecified
        (IPAddress.IPv6Loopback.GetAddressBytes(), 128),                 // loopback
        ([0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 7),         // unique local
        ([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),     // link-local
        ([0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10),     // site-local (deprecated)
        ([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 8),         // multicast
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32), // documentation
        ([0x20, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 32),     // Teredo: tunnels to anywhere
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 96),           // IPv4-compatible (deprecated)
    ];

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !NonPublicV4.Any(range => InRange(bytes, range.Prefix, range.Bits));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || NonPublicV6.Any(range => InRange(bytes, range.Prefix, range.Bits)))
        {
            return false;
        }

        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they embed.
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        }

        return true;
    }

    private static bool InRange(byte[] address, byte[] prefix, int bits)
    {
        if (address.Length != prefix.Length)
        {
            return false;
        }

        var whole = bits / 8;
        if (!address.AsSpan(0, whole).SequenceEqual(prefix.AsSpan(0, whole)))
        {
            return false;
        }

        var rest = bits % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xff << (8 - rest));
        return (address[whole] & mask) == (prefix[whole] & mask);
    }
}
