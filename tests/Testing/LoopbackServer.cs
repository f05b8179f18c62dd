using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Testing;

/// <summary>Web applications a test hosts in its own process, on Kestrel at 127.0.0.1 with a port the system picks.</summary>
public static class LoopbackHosting
{
    /// <summary>Kestrel on 127.0.0.1, port 0: the system's choice, so parallel tests do not collide.</summary>
    public static WebApplicationBuilder ListenOnLoopback(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    /// <summary>Starts the application (disposing it when it cannot start) and returns its origin, http://127.0.0.1:{port}/.</summary>
    public static async Task<Uri> StartOnLoopbackAsync(this WebApplication app)
    {
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.TrimEnd('/') + "/");
    }
}

/// <summary>An HTTP server on a free loopback port that answers with a test's own handler (or routes) and counts the requests it got.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    /// <summary>http://127.0.0.1:{port}/</summary>
    public Uri Origin { get; private set; } = null!;

    /// <summary>The origin without the trailing slash, as options name a server (Download:LoopbackOrigins, SchemaRegistry:Url).</summary>
    public string OriginText => Origin.GetLeftPart(UriPartial.Authority);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>A server that answers every request with <paramref name="handler"/>.</summary>
    public static Task<LoopbackServer> StartAsync(RequestDelegate handler) => StartAsync(app => app.Run(handler));

    /// <summary>A server that answers with what <paramref name="map"/> maps on it.</summary>
    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var server = new LoopbackServer(builder.ListenOnLoopback().Build());
        server._app.Use((context, next) =>
        {
            Interlocked.Increment(ref server._requests);
            return next(context);
        });
        map(server._app);
        server.Origin = await server._app.StartOnLoopbackAsync();
        return server;
    }

    public string Url(string path) => new Uri(Origin, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
