using System.Text.Json;
using CinematicSwitch.ServiceDefaults.Health;
using CinematicSwitch.ServiceDefaults.Logging;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Telemetry;
using CinematicSwitch.Streaming.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults;

public static class Extensions
{
    /// <summary>Tag of the health checks that decide readiness (dependencies reachable).</summary>
    public const string ReadyTag = "ready";

    /// <summary>The one root-level setting of every service: seconds a graceful stop may take.</summary>
    public const string ShutdownTimeoutKey = "ShutdownTimeoutSeconds";

    /// <summary>Logging, traces and metrics, health checks and graceful shutdown, common to every service.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddServiceLogging(serviceName);
        builder.AddServiceTelemetry(serviceName);
        // Every component reads time through this, so that tests can give them a fake clock.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks();
        // How long SIGTERM waits for hosted services (stream processors drain within it) before the process exits.
        builder.Services.AddOptions<HostOptions>()
            .Configure(o => o.ShutdownTimeout = TimeSpan.FromSeconds(builder.Configuration.GetValue(ShutdownTimeoutKey, 30)))
            .Validate(o => o.ShutdownTimeout >= TimeSpan.FromSeconds(1) && o.ShutdownTimeout <= TimeSpan.FromHours(1),
                $"{ShutdownTimeoutKey} must be between 1 and 3600.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>The Kafka client factory over validated "Kafka" options, with a readiness check.</summary>
    public static TBuilder AddKafka<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<KafkaOptions>(KafkaOptions.SectionName);
        builder.Services.AddSingleton<KafkaClientFactory>();
        builder.Services.AddHealthChecks().AddCheck<KafkaHealthCheck>("kafka", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>S3 over validated "S3" options, with a readiness check of the configured buckets.</summary>
    public static TBuilder AddObjectStorage<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddValidatedOptions<S3Options>(S3Options.SectionName);
        builder.Services.AddSingleton(sp => S3ClientFactory.Create(sp.GetRequiredService<IOptions<S3Options>>().Value));
        builder.Services.AddSingleton<ObjectStore>();
        builder.Services.AddHealthChecks().AddCheck<S3HealthCheck>("s3", tags: [ReadyTag]);
        return builder;
    }

    /// <summary>
    /// The request log (first, so that it reports what the middleware after it answered) and the endpoints of every
    /// service: /healthz, the process is alive; /readyz, every dependency tagged "ready" answers; /metrics, every
    /// instrument in the Prometheus text format.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseServiceRequestLogging();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteReport });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteReport });
        app.MapMetrics();
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), detail = e.Value.Description, ms = (int)e.Value.Duration.TotalMilliseconds }),
        });
    }
}
