using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Archiver.Tests.Downloads;

/// <summary>One download attempt against loopback servers: streaming, hashing, type and size checks, time limit, SSRF rules.</summary>
public sealed class MediaDownloaderTests : IDisposable
{
    private static readonly byte[] Png = MediaStore.Png(64, 48);
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "cinematic-archiver-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task An_output_is_spooled_to_a_temporary_file_with_its_sha256_and_the_file_is_gone_after_use()
    {
        await using var server = await LoopbackServer.StartAsync(context => Serve(context, "image/png", Png));
        using var downloader = Downloader(server);

        await using (var media = await downloader.DownloadAsync(server.Url("out-0.png"), MediaKind.Image, CancellationToken.None))
        {
            Assert.Equal("image/png", media.Format.ContentType);
            Assert.Equal(Png.Length, media.SizeBytes);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Png)), media.Sha256);
            using var copy = new MemoryStream();
            await media.Content.CopyToAsync(copy);
            Assert.Equal(Png, copy.ToArray());
            Assert.Single(Directory.GetFiles(_temp));
        }

        Assert.Empty(Directory.GetFiles(_temp));
    }

    [Fact]
    public async Task A_generic_content_type_is_decided_by_the_magic_bytes()
    {
        byte[] webp = [.. "RIFF"u8, 0x24, 0, 0, 0, .. "WEBPVP8 "u8, .. new byte[32]];
        await using var server = await LoopbackServer.StartAsync(context => Serve(context, "application/octet-stream", webp));
        using var downloader = Downloader(server);

        await using var media = await downloader.DownloadAsync(server.Url("out-0"), MediaKind.Unknown, CancellationToken.None);

        Assert.Equal("image/webp", media.Format.ContentType);
        Assert.Equal("webp", media.Format.Extension);
    }

    [Theory]
    [InlineData("text/html", "<html><body>Access denied</body></html>", "Image", "text/html")]
    [InlineData("image/png", "<html><body>Sign in</body></html>", "Image", "not JPEG, PNG, WebP, MP4 or MOV")]
    [InlineData("video/mp4", null, "Image", "where image was expected")]
    [InlineData("application/octet-stream", null, "Video", "image/png content")]
    public async Task Content_that_is_not_the_expected_image_or_video_is_refused_by_header_or_by_content(
        string contentType, string? body, string expected, string reason)
    {
        var bytes = body is null ? Png : System.Text.Encoding.UTF8.GetBytes(body);
        await using var server = await LoopbackServer.StartAsync(context => Serve(context, contentType, bytes));
        using var downloader = Downloader(server);

        var error = await Assert.ThrowsAsync<FetchException>(() =>
            downloader.DownloadAsync(server.Url("out-0"), Enum.Parse<MediaKind>(expected), CancellationToken.None));

        Assert.Equal(FetchFailureReason.WrongType, error.Reason);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_temp) ? Directory.GetFiles(_temp) : []);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_output_over_the_size_limit_is_refused_whether_announced_or_streamed(bool announceLength)
    {
        byte[] big = [.. Png, .. new byte[20_000]];
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "image/png";
            if (announceLength)
            {
                context.Response.ContentLength = big.Length;
            }

            // Several writes: without a length the body goes out chunked, and the limit is found while reading.
            foreach (var chunk in big.Chunk(4096))
            {
                await context.Response.Body.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        });
        using var downloader = Downloader(server, o => o.MaxImageBytes = 10_000);

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url("big.png"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.TooLarge, error.Reason);
        Assert.Contains(announceLength ? "announced" : "more than the 10000-byte limit", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(_temp) ? Directory.GetFiles(_temp) : []);
    }

    [Theory]
    [InlineData(403, FetchFailureReason.Expired)]
    [InlineData(404, FetchFailureReason.Expired)]
    [InlineData(410, FetchFailureReason.Expired)]
    [InlineData(500, FetchFailureReason.HttpError)]
    [InlineData(429, FetchFailureReason.HttpError)]
    public async Task Unsuccessful_answers_are_classified(int status, FetchFailureReason reason)
    {
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            return context.Response.WriteAsync("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>");
        });
        using var downloader = Downloader(server);

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url("out-0.png"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(reason, error.Reason);
        Assert.Equal(status, error.HttpStatus);
    }

    [Fact]
    public async Task A_download_that_stalls_ends_at_the_attempt_timeout()
    {
        await using var server = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Png.AsMemory(0, 16));
            await context.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        });
        using var downloader = Downloader(server, o => o.AttemptTimeout = TimeSpan.FromMilliseconds(500));

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url("slow.png"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.Timeout, error.Reason);
    }

    [Fact]
    public async Task Redirects_within_allowed_origins_are_followed()
    {
        await using var server = await LoopbackServer.StartAsync(context => context.Request.Path == "/final.png"
            ? Serve(context, "image/png", Png)
            : Redirect(context, "/final.png"));
        using var downloader = Downloader(server);

        await using var media = await downloader.DownloadAsync(server.Url("start"), MediaKind.Image, CancellationToken.None);

        Assert.Equal(Png.Length, media.SizeBytes);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Too_many_redirects_end_the_attempt()
    {
        await using var server = await LoopbackServer.StartAsync(context => Redirect(context, "/again"));
        using var downloader = Downloader(server, o => o.MaxRedirects = 3);

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(server.Url("loop"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.TooManyRedirects, error.Reason);
        Assert.Equal(4, server.Requests);
    }

    [Theory]
    [InlineData("file:///etc/passwd", "file: scheme")]
    [InlineData("ftp://replicate.delivery/out.png", "ftp: scheme")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=", "data: scheme")]
    [InlineData("https://example.com/out.png", "not an allowed provider host")]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/", "not a public address (link-local)")]
    [InlineData("http://dnznrvs05pmza.cloudfront.net/out.mp4", "plain http")]
    [InlineData("not a url", "not an absolute URL")]
    public async Task Urls_outside_the_policy_are_refused_before_any_connection(string url, string reason)
    {
        using var downloader = Downloader(null);

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(url, MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.Refused, error.Reason);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_allowed_host_name_that_resolves_to_a_private_address_is_refused_at_connect_time()
    {
        // "localhost" stands for any allowed name an attacker points at an internal address (DNS rebinding included):
        // the address is checked where the connection is made, and no connection is made.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var downloader = Downloader(null, o => o.AllowedHosts = ["localhost"]);

        var error = await Assert.ThrowsAsync<FetchException>(() =>
            downloader.DownloadAsync($"https://localhost:{port}/internal/admin", MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.Refused, error.Reason);
        Assert.Contains("no public address", error.Message, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    [Fact]
    public async Task A_private_ip_literal_is_refused_even_when_listed_as_allowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var downloader = Downloader(null, o => o.AllowedHosts = ["127.0.0.1", "10.0.0.8"]);

        foreach (var url in new[] { $"https://127.0.0.1:{port}/", "https://10.0.0.8/latest" })
        {
            var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(url, MediaKind.Image, CancellationToken.None));
            Assert.Equal(FetchFailureReason.Refused, error.Reason);
            Assert.Contains("not a public address", error.Message, StringComparison.Ordinal);
        }

        Assert.False(listener.Pending());
    }

    [Theory]
    [InlineData("loopback-port")]
    [InlineData("metadata")]
    [InlineData("name-to-loopback")]
    [InlineData("file")]
    public async Task A_redirect_out_of_the_policy_is_refused_and_its_target_never_reached(string target)
    {
        await using var secret = await LoopbackServer.StartAsync(context => Serve(context, "image/png", Png));
        var location = target switch
        {
            "loopback-port" => secret.Url("admin"),
            "metadata" => "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "name-to-loopback" => $"https://localhost:{secret.Origin.Port}/admin",
            _ => "file:///etc/passwd",
        };
        await using var provider = await LoopbackServer.StartAsync(context => Redirect(context, location));
        using var downloader = Downloader(provider, o => o.AllowedHosts = ["localhost"]);

        var error = await Assert.ThrowsAsync<FetchException>(() => downloader.DownloadAsync(provider.Url("out-0.png"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.Refused, error.Reason);
        Assert.Equal(1, provider.Requests);
        Assert.Equal(0, secret.Requests);
    }

    [Fact]
    public async Task The_projects_own_S3_endpoint_is_never_fetched_even_among_the_loopback_origins()
    {
        // Stands for the development S3, which checks no signatures: any tenant's object would be copied.
        await using var s3 = await LoopbackServer.StartAsync(context => Serve(context, "image/png", Png));
        using var downloader = Downloader(s3, s3Endpoint: s3.OriginText);

        var error = await Assert.ThrowsAsync<FetchException>(() =>
            downloader.DownloadAsync(s3.Url("cinematic-archive/t01/0b1c/0.png"), MediaKind.Image, CancellationToken.None));

        Assert.Equal(FetchFailureReason.Refused, error.Reason);
        Assert.EndsWith("is this service's own storage", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, s3.Requests);
    }

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private MediaDownloader Downloader(LoopbackServer? server, Action<DownloadOptions>? configure = null, string? s3Endpoint = null)
    {
        var download = new DownloadOptions { TempDirectory = _temp, LoopbackOrigins = server is null ? [] : [server.OriginText] };
        configure?.Invoke(download);
        return new MediaDownloader(Options.Create(new ArchiverOptions { Download = download }), Options.Create(new S3Options { ServiceUrl = s3Endpoint }));
    }

    private static Task Serve(HttpContext context, string contentType, byte[] bytes)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }

    private static Task Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status302Found;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
