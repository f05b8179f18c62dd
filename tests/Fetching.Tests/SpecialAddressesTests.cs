using System.Net;
using System.Numerics;

namespace CinematicSwitch.Fetching.Tests;

/// <summary>
/// Every entry of the IANA IPv4 and IPv6 special-purpose address registries (as of 2026), first and last address, with
/// what the guard must decide; then the forms that carry an IPv4 address. Written from the registries, not from the
/// guard's own table.
/// </summary>
public sealed class SpecialAddressesTests
{
    /// <summary>Block, whether a guarded fetch may connect to it, and why.</summary>
    public static TheoryData<string, bool, string> Registry => new()
    {
        // IANA IPv4 Special-Purpose Address Registry.
        { "0.0.0.0/8", false, "this network" },
        { "0.0.0.0/32", false, "this host" },
        { "10.0.0.0/8", false, "private-use" },
        { "100.64.0.0/10", false, "shared address space" },
        { "127.0.0.0/8", false, "loopback" },
        { "169.254.0.0/16", false, "link local (cloud metadata at 169.254.169.254)" },
        { "172.16.0.0/12", false, "private-use" },
        { "192.0.0.0/24", false, "IETF protocol assignments" },
        { "192.0.0.0/29", false, "IPv4 service continuity prefix (DS-Lite)" },
        { "192.0.0.8/32", false, "IPv4 dummy address" },
        { "192.0.0.9/32", false, "PCP anycast: globally reachable, but inside 192.0.0.0/24, refused whole" },
        { "192.0.0.10/32", false, "TURN anycast: globally reachable, but inside 192.0.0.0/24, refused whole" },
        { "192.0.0.170/32", false, "NAT64/DNS64 discovery" },
        { "192.0.0.171/32", false, "NAT64/DNS64 discovery" },
        { "192.0.2.0/24", false, "documentation (TEST-NET-1)" },
        { "192.31.196.0/24", true, "AS112-v4: globally reachable" },
        { "192.52.193.0/24", true, "AMT: globally reachable" },
        { "192.88.99.0/24", false, "deprecated 6to4 relay anycast" },
        { "192.168.0.0/16", false, "private-use" },
        { "192.175.48.0/24", true, "direct delegation AS112 service: globally reachable" },
        { "198.18.0.0/15", false, "benchmarking" },
        { "198.51.100.0/24", false, "documentation (TEST-NET-2)" },
        { "203.0.113.0/24", false, "documentation (TEST-NET-3)" },
        { "240.0.0.0/4", false, "reserved" },
        { "255.255.255.255/32", false, "limited broadcast" },
        // Not in the registry, never a server.
        { "224.0.0.0/4", false, "multicast" },

        // IANA IPv6 Special-Purpose Address Registry.
        { "::1/128", false, "loopback" },
        { "::/128", false, "unspecified" },
        { "::ffff:0:0/96", false, "IPv4-mapped: only public IPv4 inside, see below; 0.0.0.0-255.255.255.255 spans both ends" },
        { "64:ff9b:1::/48", false, "IPv4-IPv6 translation, local use" },
        { "100::/64", false, "discard-only" },
        { "100:0:0:1::/64", false, "dummy IPv6 prefix" },
        { "2001::/23", false, "IETF protocol assignments" },
        { "2001::/32", false, "Teredo" },
        { "2001:1::1/128", false, "PCP anycast: inside 2001::/23, refused whole" },
        { "2001:1::2/128", false, "TURN anycast: inside 2001::/23, refused whole" },
        { "2001:1::3/128", false, "DNS-SD SRP anycast: inside 2001::/23, refused whole" },
        { "2001:2::/48", false, "benchmarking" },
        { "2001:3::/32", false, "AMT: inside 2001::/23, refused whole" },
        { "2001:4:112::/48", false, "AS112-v6: inside 2001::/23, refused whole" },
        { "2001:10::/28", false, "deprecated ORCHID" },
        { "2001:20::/28", false, "ORCHIDv2: inside 2001::/23, refused whole" },
        { "2001:30::/28", false, "drone remote ID tags: inside 2001::/23, refused whole" },
        { "2001:db8::/32", false, "documentation" },
        { "2620:4f:8000::/48", true, "direct delegation AS112 service: globally reachable" },
        { "3fff::/20", false, "documentation" },
        { "5f00::/16", false, "segment routing SIDs" },
        { "fc00::/7", false, "unique local" },
        { "fe80::/10", false, "link-local" },
        // Not in the registry, never a server.
        { "fec0::/10", false, "deprecated site-local" },
        { "ff00::/8", false, "multicast" },
        { "::/96", false, "deprecated IPv4-compatible" },
        { "4000::/3", false, "unallocated, outside global unicast" },
    };

    [Theory]
    [MemberData(nameof(Registry))]
    public void Every_special_purpose_block_is_judged_at_both_ends(string cidr, bool reachable, string why)
    {
        var network = IPNetwork.Parse(cidr);
        foreach (var address in new[] { network.BaseAddress, Last(network) })
        {
            Assert.True(reachable == SpecialAddresses.IsGloballyReachable(address), $"{address} in {cidr} ({why})");
        }
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_reachable(string address) =>
        Assert.Null(SpecialAddresses.Refusal(IPAddress.Parse(address)));

    /// <summary>The IPv4 blocks that are refused, each carried in every IPv6 form that reaches IPv4.</summary>
    public static TheoryData<string> CarriedIPv4 => new()
    {
        "0.0.0.0", "10.1.2.3", "100.64.0.1", "127.0.0.1", "169.254.169.254", "172.16.0.1", "192.0.0.170", "192.0.2.1",
        "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.51.100.1", "203.0.113.1", "224.0.0.1", "240.0.0.1", "255.255.255.255",
    };

    [Theory]
    [MemberData(nameof(CarriedIPv4))]
    public void An_IPv4_address_that_is_refused_is_refused_in_every_IPv6_form(string ipv4)
    {
        var v4 = IPAddress.Parse(ipv4).GetAddressBytes();
        Assert.NotNull(SpecialAddresses.Refusal(IPAddress.Parse(ipv4)));
        Assert.NotNull(SpecialAddresses.Refusal(IPAddress.Parse(ipv4).MapToIPv6()));
        Assert.NotNull(SpecialAddresses.Refusal(WithPrefix([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], v4, 12)));  // NAT64 well-known
        Assert.NotNull(SpecialAddresses.Refusal(WithPrefix([0x00, 0x64, 0xff, 0x9b, 0, 1, 0, 0, 0, 0, 0, 0], v4, 12)));  // NAT64 local use
        Assert.NotNull(SpecialAddresses.Refusal(WithPrefix([0x20, 0x02], v4, 2)));                                        // 6to4
        Assert.NotNull(SpecialAddresses.Refusal(WithPrefix([], v4, 12)));                                                 // IPv4-compatible
    }

    [Theory]
    [InlineData("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254, the cloud metadata service")]
    [InlineData("64:ff9b:1::808:808", "NAT64 local use, even of a public address")]
    [InlineData("::8.8.8.8", "IPv4-compatible, even of a public address")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo")]
    [InlineData("fe80::1%1", "link-local with a zone index")]
    public void Tunnels_and_translations_inside_are_refused(string address, string why) =>
        Assert.True(SpecialAddresses.Refusal(IPAddress.Parse(address)) is not null, why);

    [Fact]
    public void The_reason_names_the_block_and_the_address_carried()
    {
        Assert.Equal("NAT64 well-known prefix of 169.254.169.254 (link-local)", SpecialAddresses.Refusal(IPAddress.Parse("64:ff9b::a9fe:a9fe")));
        Assert.Equal("NAT64 local-use prefix", SpecialAddresses.Refusal(IPAddress.Parse("64:ff9b:1::1")));
    }

    private static IPAddress WithPrefix(byte[] prefix, byte[] v4, int at)
    {
        var bytes = new byte[16];
        prefix.CopyTo(bytes, 0);
        v4.CopyTo(bytes, at);
        return new IPAddress(bytes);
    }

    private static IPAddress Last(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) | ((BigInteger.One << (bytes.Length * 8 - network.PrefixLength)) - 1);
        var last = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[bytes.Length];
        last.CopyTo(padded, padded.Length - last.Length);
        return new IPAddress(padded);
    }
}
