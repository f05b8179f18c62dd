using System.ComponentModel.DataAnnotations;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Fetching;

namespace CinematicSwitch.Archiver.Tests.Downloads;

/// <summary>
/// What the archiver refuses before connecting: the guard's URL rules and its own provider-host rule, as the downloader
/// applies them to every hop (the downloader tests show them over real sockets; the guard's own tests every address block).
/// </summary>
public sealed class UrlPolicyTests
{
    private static readonly Policy Defaults = new(new DownloadOptions());

    private sealed class Policy(DownloadOptions options)
    {
        public string? Refusal(Uri url)
        {
            using var guard = new FetchGuard(options);
            return guard.Refusal(url) ?? new UrlPolicy(options, guard).Refusal(url);
        }
    }

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
    [InlineData("https://169.254.169.254/latest/meta-data/", "not a public address")]
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
        var policy = new Policy(new DownloadOptions { AllowedHosts = ["media.example.com", "10.1.2.3", "*.cdn.example.net"] });

        Assert.Null(policy.Refusal(new Uri("https://media.example.com/a.png")));
        Assert.Null(policy.Refusal(new Uri("https://eu.cdn.example.net/a.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://cdn.example.net/a.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://replicate.delivery/a.png")));
        Assert.Contains("not a public address", policy.Refusal(new Uri("https://10.1.2.3/a.png")), StringComparison.Ordinal);
    }

    [Fact]
    public void Loopback_origins_are_allowed_only_exactly_as_configured()
    {
        var policy = new Policy(new DownloadOptions { LoopbackOrigins = ["http://127.0.0.1:5101"] });

        Assert.Null(policy.Refusal(new Uri("http://127.0.0.1:5101/media/image/1/1/png/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("http://127.0.0.1:5102/media/image/1/1/png/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("https://127.0.0.1:5101/x.png")));
        Assert.NotNull(policy.Refusal(new Uri("http://localhost:5101/x.png")));
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
    public void Loopback_origins_must_be_loopback_origins(string origin, bool valid)
    {
        var options = new DownloadOptions { LoopbackOrigins = [origin] };
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
    }
}
