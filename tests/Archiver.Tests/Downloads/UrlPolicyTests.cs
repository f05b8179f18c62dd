using System.Net;
using CinematicSwitch.Archiver.Downloads;

namespace CinematicSwitch.Archiver.Tests.Downloads;

/// <summary>The URL half of the SSRF rules, on its own (the downloader tests show it over real sockets).</summary>
public sealed class UrlPolicyTests
{
    private static readonly UrlPolicy Defaults = new(new DownloadOptions());

    [Theory]
    [InlineData("https://replicate.delivery/xezq/abc/out-0.webp")]
    [InlineData("https://pbxt.replicate.delivery/abc/out-0.png")]
    [InlineData("https://REPLICATE.delivery./abc/out-0.png")]
    [InlineData("https://dnznrvs05pmza.cloudfront.net/ad0e7fa4.mp4?_jwt=token")]
    [InlineData("https://cdn.leonardo.ai/users/u/generations/g/clip.mp4")]
    public void The_providers_delivery_hosts_are_allowed_over_https_by_default(string url) =>
        Assert.Null(Defaults.Refusal(new Uri(url)));

    [Theory]
    [InlineData("http://replicate.delivery/abc/out-0.png", "plain http")]
    [InlineData("file:///etc/passwd", "file: scheme")]
    [InlineData("ftp://replicate.delivery/out.png", "ftp: scheme")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=", "data: scheme")]
    [InlineData("gopher://replicate.delivery/", "gopher: scheme")]
    [InlineData("https://example.com/out.png", "not an allowed provider host")]
    [InlineData("https://evilreplicate.delivery/out.png", "not an allowed provider host")]
    [InlineData("https://replicate.delivery.evil.example/out.png", "not an allowed provider host")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "not an allowed provider host")]
    [InlineData("https://user:secret@replicate.delivery/out.png", "credentials")]
    public void Everything_else_is_refused_with_its_reason(string url, string reason)
    {
        var refusal = Defaults.Refusal(new Uri(url));

        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_list_replaces_the_defaults_and_private_ip_literals_stay_refused_even_when_listed()
    {
        var policy = new UrlPolicy(new DownloadOptions { AllowedHosts = ["media.example.com", "10.1.2.3", "*.cdn.example.net"] });

        Assert.Null(policy.Refusal(new Uri("https://media.example.com/a.png")));
        Assert.Null(policy.Refusal(new Uri("https://eu.cdn.example.net/a.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://cdn.example.net/a.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://replicate.delivery/a.png")));
        Assert.Contains("not a public address", policy.Refusal(new Uri("https://10.1.2.3/a.png")), StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_origins_are_allowed_only_exactly_as_configured()
    {
        var policy = new UrlPolicy(new DownloadOptions { LoopbackOrigins = ["http://127.0.0.1:5101"] });

        Assert.Null(policy.Refusal(new Uri("http://127.0.0.1:5101/media/image/1/1/png/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("http://127.0.0.1:5102/media/image/1/1/png/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://127.0.0.1:5101/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("http://localhost:5101/x.png")));
        Assert.True(policy.IsLoopbackOrigin("127.0.0.1", 5101));
        Assert.False(policy.IsLoopbackOrigin("127.0.0.1", 80));
    }

    [Theory]
    [InlineData("replicate.delivery", true)]
    [InlineData("*.replicate.delivery", true)]
    [InlineData("https://replicate.delivery", false)]
    [InlineData("replicate.delivery:443", false)]
    [InlineData("*", false)]
    [InlineData("a.*.example.com", false)]
    public void Allowed_hosts_must_be_host_names(string host, bool valid) =>
        Assert.Equal(valid, !new DownloadOptions { AllowedHosts = [host] }.Validate().Any());

    [Theory]
    [InlineData("http://127.0.0.1:5101", true)]
    [InlineData("http://[::1]:5101", true)]
    [InlineData("http://localhost:8080", true)]
    [InlineData("http://10.0.0.5:5101", false)]
    [InlineData("http://replicate.delivery", false)]
    [InlineData("http://127.0.0.1:5101/media", false)]
    [InlineData("file:///tmp", false)]
    public void Loopback_origins_must_be_loopback_origins(string origin, bool valid) =>
        Assert.Equal(valid, !new DownloadOptions { LoopbackOrigins = [origin] }.Validate().Any());
}

public sealed class AddressRulesTests
{
    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("104.18.2.3", true)]
    [InlineData("2606:4700::1111", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.8.9.10", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("172.16.5.4", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.10", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:10.1.1.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("64:ff9b::a9fe:a9fe", false)]
    [InlineData("2002:c0a8:0101::1", false)]
    [InlineData("2002:0808:0808::1", true)]
    public void Only_public_unicast_addresses_are_reachable(string address, bool isPublic) =>
        Assert.Equal(isPublic, AddressRules.IsPublic(IPAddress.Parse(address)));
}
