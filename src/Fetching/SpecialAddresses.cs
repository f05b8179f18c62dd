using System.Net;
using System.Net.Sockets;

namespace CinematicSwitch.Fetching;

/// <summary>
/// Which IP addresses a guarded fetch may connect to: globally reachable unicast only. Every block of the IANA IPv4
/// and IPv6 special-purpose address registries that is not globally reachable is refused, and so are multicast, the
/// deprecated site-local and IPv4-compatible forms, and all of IPv6 outside global unicast (2000::/3). Forms that
/// carry an IPv4 address (IPv4-mapped, NAT64's well-known prefix, 6to4) are judged by the address they carry, as that
/// is where a packet to them ends up; Teredo and NAT64's local-use prefix cannot be judged from here and are refused.
/// </summary>
public static class SpecialAddresses
{
    /// <summary>A refused block, or (with <see cref="EmbeddedIPv4At"/>) a block judged by the IPv4 address at that byte offset.</summary>
    public sealed record Block(string Cidr, string Name, int EmbeddedIPv4At = -1)
    {
        public IPNetwork Network { get; } = IPNetwork.Parse(Cidr);

        private readonly byte[] _prefix = IPNetwork.Parse(Cidr).BaseAddress.GetAddressBytes();

        /// <summary>
        /// Compared byte by byte: IPNetwork.Contains does not see an IPv4-mapped address (::ffff:10.1.2.3) as inside
        /// ::ffff:0:0/96 nor outside 2000::/3 (.NET 10), which would let it through.
        /// </summary>
        public bool Contains(ReadOnlySpan<byte> address)
        {
            if (address.Length != _prefix.Length)
            {
                return false;
            }

            var bits = Network.PrefixLength;
            var whole = bits / 8;
            if (!address[..whole].SequenceEqual(_prefix.AsSpan(0, whole)))
            {
                return false;
            }

            var mask = (byte)(0xff << (8 - (bits % 8)));
            return bits % 8 == 0 || (address[whole] & mask) == (_prefix[whole] & mask);
        }
    }

    private static readonly Block GlobalUnicast = new("2000::/3", "global unicast");

    /// <summary>The blocks, most specific first where they nest (a carrying form is looked at before what contains it).</summary>
    public static IReadOnlyList<Block> Blocks { get; } =
    [
        // IPv4 (RFC 6890 and the registry's later entries); the registry's globally reachable entries outside these
        // blocks (AS112 192.31.196.0/24 and 192.175.48.0/24, AMT 192.52.193.0/24) are ordinary addresses here.
        new("0.0.0.0/8", "\"this network\""),
        new("10.0.0.0/8", "private-use"),
        new("100.64.0.0/10", "shared address space"),
        new("127.0.0.0/8", "loopback"),
        new("169.254.0.0/16", "link-local"),
        new("172.16.0.0/12", "private-use"),
        // Whole: DS-Lite, the dummy address, NAT64 discovery and the PCP/TURN anycast addresses serve no media.
        new("192.0.0.0/24", "IETF protocol assignments"),
        new("192.0.2.0/24", "documentation (TEST-NET-1)"),
        new("192.88.99.0/24", "6to4 relay anycast (deprecated)"),
        new("192.168.0.0/16", "private-use"),
        new("198.18.0.0/15", "benchmarking"),
        new("198.51.100.0/24", "documentation (TEST-NET-2)"),
        new("203.0.113.0/24", "documentation (TEST-NET-3)"),
        new("224.0.0.0/4", "multicast"),
        new("240.0.0.0/4", "reserved"),
        new("255.255.255.255/32", "limited broadcast"),

        // IPv6 forms that carry an IPv4 address.
        new("::ffff:0:0/96", "IPv4-mapped", EmbeddedIPv4At: 12),
        new("64:ff9b::/96", "NAT64 well-known prefix", EmbeddedIPv4At: 12),
        new("2002::/16", "6to4", EmbeddedIPv4At: 2),

        // IPv6 (RFC 6890 and the registry's later entries).
        new("::/128", "unspecified"),
        new("::1/128", "loopback"),
        new("::/96", "IPv4-compatible (deprecated)"),
        new("64:ff9b:1::/48", "NAT64 local-use prefix"),
        new("100::/64", "discard-only"),
        new("100:0:0:1::/64", "dummy IPv6 prefix"),
        // Whole: Teredo (2001::/32) tunnels to any IPv4 address; the rest (benchmarking, ORCHID, DRIP, the PCP/TURN/AMT
        // anycast services) serves no media.
        new("2001::/23", "IETF protocol assignments (Teredo, benchmarking, ORCHID)"),
        new("2001:db8::/32", "documentation"),
        new("3fff::/20", "documentation"),
        new("5f00::/16", "segment routing (SRv6) SIDs"),
        new("fc00::/7", "unique local"),
        new("fe80::/10", "link-local"),
        new("fec0::/10", "site-local (deprecated)"),
        new("ff00::/8", "multicast"),
    ];

    /// <summary>Null when <paramref name="address"/> is globally reachable, else the name of the block it lies in.</summary>
    public static string? Refusal(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        foreach (var block in Blocks)
        {
            if (!block.Contains(bytes))
            {
                continue;
            }

            if (block.EmbeddedIPv4At < 0)
            {
                return block.Name;
            }

            var embedded = new IPAddress(bytes.AsSpan(block.EmbeddedIPv4At, 4));
            return Refusal(embedded) is { } inner ? $"{block.Name} of {embedded} ({inner})" : null;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => null,
            AddressFamily.InterNetworkV6 when GlobalUnicast.Contains(bytes) => null,
            AddressFamily.InterNetworkV6 => "outside IPv6 global unicast (2000::/3)",
            _ => "not an IP address",
        };
    }

    public static bool IsGloballyReachable(IPAddress address) => Refusal(address) is null;
}
