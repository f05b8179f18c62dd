using CinematicSwitch.ServiceDefaults.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CinematicSwitch.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry for every service, in one place: traces of the project's ActivitySources ("CinematicSwitch.*", the
/// Kafka spans among them), ASP.NET Core and HttpClient; metrics of the project's meters, ASP.NET Core, HttpClient
/// and the runtime, scraped at /metrics in the Prometheus text format; OTLP export of both when the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT is set (with the other OTEL_* variables as the SDK documents them); readable trace
/// files when <see cref="TelemetryOptions.TraceDirectory"/> is set.
/// </summary>
public static class ServiceTelemetry
{
    /// <summary>The project's ActivitySources and Meters all start with this.</summary>
    public const string ProjectPrefix = "CinematicSwitch.*";

    public const string MetricsPath = "/metrics";

    private const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IHostApplicationBuilder AddServiceTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName);
        // Read while composing: the exporters are part of the pipeline that is built from it.
        var traceDirectory = builder.Configuration[$"{TelemetryOptions.SectionName}:{nameof(TelemetryOptions.TraceDirectory)}"];
        var telemetry = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, read after the service's own name, win over it.
            .ConfigureResource(resource => resource.AddService(serviceName).AddEnvironmentVariableDetector())
            .WithTracing(tracing =>
            {
                tracing.AddSource(ProjectPrefix)
                    // Probes and scrapes are not worth a trace, nor is what they call (S3, the registry).
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsRoutine(http.Request.Path))
                    .AddHttpClientInstrumentation();
                if (!string.IsNullOrWhiteSpace(traceDirectory))
                {
                    // Flushed every second, so that a person reading the file sees a request soon after it finished.
                    tracing.AddProcessor(new BatchActivityExportProcessor(new TraceFileExporter(traceDirectory), scheduledDelayMilliseconds: 1000));
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(ProjectPrefix)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>/metrics: every instrument in the Prometheus text exposition format, for a scraper.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    internal static bool IsRoutine(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments(MetricsPath);
}
