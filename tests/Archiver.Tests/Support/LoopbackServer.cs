using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Archiver.Tests.Support;

/// <summary>An HTTP server on a free loopback port that answers with a test's own handler and counts the requests it got.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri Origin { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LoopbackServer> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var server = new LoopbackServer(builder.Build());
        server._app.Run(context =>
        {
            Interlocked.Increment(ref server._requests);
            return handler(context);
        });
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Origin = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The origin as the archiver's Download:LoopbackOrigins lists it.</summary>
    public string OriginText => Origin.GetLeftPart(UriPartial.Authority);

    public string Url(string path) => new Uri(Origin, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
