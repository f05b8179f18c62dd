using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Fetching.Tests;

/// <summary>
/// The guard over real connections, all on loopback: two servers stand for "a host the fetch may reach" (an allowed
/// loopback origin) and "the inside network" (any other loopback port). Not parallel with other classes: one test
/// sets the process-wide default proxy.
/// </summary>
[Collection(nameof(FetchGuardTests))]
[CollectionDefinition(nameof(FetchGuardTests), DisableParallelization = true)]
public sealed class FetchGuardTests : IAsyncLifetime
{
    private WebApplication _allowed = null!;
    private WebApplication _inside = null!;

    private Uri Allowed { get; set; } = null!;

    private Uri Inside { get; set; } = null!;

    /// <summary>Requests the inside server saw (path and query): none may arrive.</summary>
    private ConcurrentQueue<string> InsideRequests { get; } = new();

    public async Task InitializeAsync()
    {
        (_inside, Inside) = await StartAsync(app => app.Run(context =>
        {
            InsideRequests.Enqueue(context.Request.Path + context.Request.QueryString);
            return context.Response.WriteAsync("secret");
        }));
        (_allowed, Allowed) = await StartAsync(app =>
        {
            app.MapGet("/media", () => Results.Bytes("media"u8.ToArray(), "image/png"));
            app.MapGet("/to-inside", () => Results.Redirect(new Uri(Inside, "/latest/meta-data").ToString()));
            app.MapGet("/to-localhost", () => Results.Redirect($"http://localhost:{Inside.Port}/latest/meta-data"));
            app.MapGet("/to-file", () => Results.Redirect("file:///etc/passwd"));
            app.MapGet("/to-metadata", () => Results.Redirect("http://[64:ff9b::a9fe:a9fe]/latest/meta-data"));
            app.MapGet("/hop/{n:int}", (int n) => n == 0 ? Results.Bytes("media"u8.ToArray(), "image/png") : Results.Redirect($"/hop/{n - 1}"));
            app.MapGet("/loop", () => Results.Redirect("/loop"));
        });
    }

    public async Task DisposeAsync()
    {
        await _allowed.DisposeAsync();
        await _inside.DisposeAsync();
    }

    private FetchGuard Guard(int maxRedirects = 5, Uri? trusted = null, Uri? refused = null) => new(
        new FetchGuardOptions { LoopbackOrigins = [Allowed.GetLeftPart(UriPartial.Authority)], MaxRedirects = maxRedirects },
        trusted is null ? null : [trusted], refused is null ? null : [refused]);

    [Fact]
    public async Task An_allowed_loopback_origin_is_fetched()
    {
        using var guard = Guard();
        using var response = await guard.GetAsync(new Uri(Allowed, "/media"), null, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("media", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Loopback_outside_the_allowed_origins_is_refused_as_a_literal_and_as_a_name_resolved_at_connect_time()
    {
        using var guard = Guard();

        var literal = await Assert.ThrowsAsync<FetchRefusedException>(() => guard.GetAsync(new Uri(Inside, "/x"), null, CancellationToken.None));
        // A name passes the URL check; its DNS answer is judged where the connection is made.
        var name = await Assert.ThrowsAsync<FetchRefusedException>(() =>
            guard.GetAsync(new Uri($"http://localhost:{Inside.Port}/x"), null, CancellationToken.None));

        Assert.Equal(FetchRefusal.Url, literal.Refusal);
        Assert.Equal("127.0.0.1 is not a public address (loopback)", literal.Message);
        Assert.Equal(FetchRefusal.Address, name.Refusal);
        Assert.StartsWith("localhost resolves to no public address", name.Message, StringComparison.Ordinal);
        Assert.Empty(InsideRequests);
    }

    [Theory]
    [InlineData("/to-inside", FetchRefusal.Url)]
    [InlineData("/to-localhost", FetchRefusal.Address)]
    [InlineData("/to-file", FetchRefusal.Url)]
    [InlineData("/to-metadata", FetchRefusal.Url)]
    public async Task Every_redirect_hop_is_checked_again(string path, FetchRefusal expected)
    {
        using var guard = Guard();

        var refused = await Assert.ThrowsAsync<FetchRefusedException>(() => guard.GetAsync(new Uri(Allowed, path), null, CancellationToken.None));

        Assert.Equal(expected, refused.Refusal);
        Assert.Empty(InsideRequests);
    }

    [Fact]
    public async Task Redirects_are_followed_up_to_the_limit()
    {
        using var guard = Guard(maxRedirects: 3);

        using var within = await guard.GetAsync(new Uri(Allowed, "/hop/3"), null, CancellationToken.None);
        var beyond = await Assert.ThrowsAsync<FetchRefusedException>(() => guard.GetAsync(new Uri(Allowed, "/hop/4"), null, CancellationToken.None));
        var loop = await Assert.ThrowsAsync<FetchRefusedException>(() => guard.GetAsync(new Uri(Allowed, "/loop"), null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, within.StatusCode);
        Assert.Equal(FetchRefusal.TooManyRedirects, beyond.Refusal);
        Assert.Equal(FetchRefusal.TooManyRedirects, loop.Refusal);
    }

    [Fact]
    public async Task The_callers_policy_applies_to_every_hop()
    {
        using var guard = Guard();
        var seen = new List<string>();

        var refused = await Assert.ThrowsAsync<FetchRefusedException>(() => guard.GetAsync(new Uri(Allowed, "/hop/2"), url =>
        {
            seen.Add(url.AbsolutePath);
            return url.AbsolutePath == "/hop/0" ? "not this one" : null;
        }, CancellationToken.None));

        Assert.Equal(["/hop/2", "/hop/1", "/hop/0"], seen);
        Assert.Equal("redirect refused: not this one", refused.Message);
    }

    [Fact]
    public async Task A_trusted_origin_is_fetched_on_the_first_hop_only_and_a_refused_one_never()
    {
        using var trusting = Guard(trusted: Inside);
        using var direct = await trusting.GetAsync(new Uri(Inside, "/own-object"), null, CancellationToken.None);
        var redirected = await Assert.ThrowsAsync<FetchRefusedException>(() => trusting.GetAsync(new Uri(Allowed, "/to-inside"), null, CancellationToken.None));
        using var refusing = Guard(refused: Allowed);
        var refused = await Assert.ThrowsAsync<FetchRefusedException>(() => refusing.GetAsync(new Uri(Allowed, "/media"), null, CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(["/own-object"], InsideRequests);
        Assert.StartsWith("redirect refused:", redirected.Message, StringComparison.Ordinal);
        Assert.EndsWith("is this service's own storage", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://example.com/x", "the ftp: scheme is not allowed")]
    [InlineData("file:///etc/passwd", "the file: scheme is not allowed")]
    [InlineData("https://user:pw@example.com/x", "URLs with credentials are not fetched")]
    [InlineData("http://169.254.169.254/latest/meta-data", "169.254.169.254 is not a public address (link-local)")]
    [InlineData("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is not a public address (IPv4-mapped of 10.0.0.1 (private-use))")]
    [InlineData("http://[64:ff9b:1::1]/", "64:ff9b:1::1 is not a public address (NAT64 local-use prefix)")]
    public void Urls_are_refused_before_any_connection(string url, string reason)
    {
        using var guard = Guard();
        Assert.Equal(reason, guard.Refusal(new Uri(url)));
    }

    [Fact]
    public async Task A_configured_proxy_is_not_used()
    {
        var proxied = new ConcurrentQueue<string>();
        var (proxy, proxyUrl) = await StartAsync(app => app.Run(context =>
        {
            proxied.Enqueue(context.Request.Path);
            return context.Response.WriteAsync("from the proxy");
        }));
        var previous = HttpClient.DefaultProxy;
        HttpClient.DefaultProxy = new WebProxy(proxyUrl) { BypassProxyOnLocal = false };
        try
        {
            using var guard = Guard();
            using var response = await guard.GetAsync(new Uri(Allowed, "/media"), null, CancellationToken.None);

            Assert.Equal("media", await response.Content.ReadAsStringAsync());
            Assert.Empty(proxied);
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
            await proxy.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("http://10.0.0.1:80")]
    [InlineData("http://example.com")]
    [InlineData("http://127.0.0.1:8080/path")]
    [InlineData("not a url")]
    public void Only_loopback_origins_can_be_allowed(string origin)
    {
        var options = new FetchGuardOptions { LoopbackOrigins = [origin] };
        Assert.NotEmpty(options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
    }

    private static async Task<(WebApplication App, Uri Origin)> StartAsync(Action<WebApplication> configure)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return (app, new Uri(address.TrimEnd('/') + "/"));
    }
}
