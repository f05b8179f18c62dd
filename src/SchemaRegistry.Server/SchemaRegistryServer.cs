using System.Net;
using CinematicSwitch.Streaming.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.SchemaRegistry.Server;

/// <summary>The development registry hosted in the calling process (the embedded stack, test fixtures).</summary>
public sealed class SchemaRegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SchemaRegistryServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The base URL clients use, e.g. http://127.0.0.1:8081 (with the actual port when 0 was asked for).</summary>
    public string Url { get; }

    public static Task<SchemaRegistryServer> StartAsync(SchemaRegistryServerOptions options, CancellationToken cancellationToken) =>
        StartAsync(options, null, null, cancellationToken);

    /// <summary>Creates the schemas topic if needed, loads it, and starts serving.</summary>
    /// <param name="topics">Creates the topic (the embedded cluster has no CreateTopics); null: the AdminClient.</param>
    /// <param name="loggers">Where the registry logs; null: the console, warnings only from the web stack.</param>
    public static async Task<SchemaRegistryServer> StartAsync(
        SchemaRegistryServerOptions options, ITopicProvisioner? topics, ILoggerFactory? loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        // No arguments and no environment: the caller's options are the whole configuration.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.Sources.Clear();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), options.Port));
        if (loggers is not null)
        {
            builder.Logging.ClearProviders();
            builder.Services.Replace(ServiceDescriptor.Singleton(loggers));
        }
        else
        {
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSchemaRegistryServer(topics);
        var app = builder.Build();
        app.MapSchemaRegistry();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new SchemaRegistryServer(app, address.TrimEnd('/'));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
