using CinematicSwitch.SchemaRegistry.Server.Api;
using CinematicSwitch.SchemaRegistry.Server.Storage;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.SchemaRegistry.Server;

public static class SchemaRegistryServerExtensions
{
    /// <summary>
    /// The registry's store over <see cref="IOptions{SchemaRegistryServerOptions}"/>: it creates its topic (through
    /// <paramref name="topics"/>, or the AdminClient of a real cluster when null) and loads it before the host starts serving.
    /// </summary>
    public static IServiceCollection AddSchemaRegistryServer(this IServiceCollection services, ITopicProvisioner? topics = null)
    {
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SchemaRegistryServerOptions>>().Value);
        // The embedded registry's host has no service defaults to register the clock.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new KafkaSchemaLog(
            sp.GetRequiredService<SchemaRegistryServerOptions>(),
            new KafkaClientFactory(Options.Create(sp.GetRequiredService<SchemaRegistryServerOptions>().Kafka), sp.GetRequiredService<ILoggerFactory>()),
            topics,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<KafkaSchemaLog>>()));
        services.AddSingleton<SchemaStore>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SchemaStore>());
        return services;
    }

    /// <summary>Basic authentication (when users are configured), the REST API, and the registry's error shapes.</summary>
    public static WebApplication MapSchemaRegistry(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<SchemaRegistryServerOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SchemaRegistry");
        app.Use(async (context, next) =>
        {
            if (options.BasicAuthUsers.Count > 0 && !BasicAuthentication.IsAuthorized(context.Request, options.BasicAuthUsers))
            {
                await BasicAuthentication.ChallengeAsync(context);
                return;
            }

            try
            {
                await next(context);
            }
            catch (RegistryError e) when (!context.Response.HasStarted)
            {
                if (e.Status >= 500)
                {
                    logger.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
                }

                await RegistryEndpoints.WriteErrorAsync(context, e.Status, e.ErrorCode, e.Message);
            }
        });
        RegistryEndpoints.Map(app);
        app.MapFallback(RegistryEndpoints.NotFoundAsync);
        return app;
    }
}
