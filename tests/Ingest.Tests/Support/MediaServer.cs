using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>A loopback web server with media at URLs, for the JSON contracts' "image": "https://..." form.</summary>
internal static class MediaServer
{
    public static Task<LoopbackServer> StartAsync(IReadOnlyDictionary<string, byte[]> files) =>
        LoopbackServer.StartAsync(app => app.MapGet("/{name}", (string name) => files.TryGetValue(name, out var bytes)
            ? Results.Bytes(bytes, "application/octet-stream")
            : Results.NotFound()));
}
