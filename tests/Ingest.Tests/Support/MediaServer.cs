using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>A loopback web server with media at URLs, for the JSON contracts' "image": "https://..." form.</summary>
internal sealed class MediaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MediaServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<MediaServer> StartAsync(IReadOnlyDictionary<string, byte[]> files)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/{name}", (string name) => files.TryGetValue(name, out var bytes)
            ? Results.Bytes(bytes, "application/octet-stream")
            : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MediaServer(app, new Uri(address));
    }

    public string Url(string name) => new Uri(BaseAddress, name).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
