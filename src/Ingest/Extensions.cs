using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Dashboard;
using CinematicSwitch.Ingest.Endpoints;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Retention;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tenancy;
using CinematicSwitch.Ingest.Webhooks;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Options;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest;

public static class Extensions
{
    /// <summary>
    /// Everything Ingest needs: service defaults, Kafka, S3, the schema registry, the providers' capability rules,
    /// tenants, intake, and the status projection. Configured only through configuration (environment variables).
    /// </summary>
    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults("ingest");
        builder.AddKafka();
        builder.AddObjectStorage();
        var services = builder.Services;
        services.AddSchemaRegistry(builder.Configuration);
        services.AddProviders(builder.Configuration);
        services.ValidateOptionsSection<ProvidersOptions>(ProvidersOptions.SectionName);
        services.AddSingleton<IPostConfigureOptions<ProvidersOptions>, CapabilityRulesOnly>();
        services.AddSingleton<IValidateOptions<ProvidersOptions>, CapabilityRulesOnly>();
        services.AddValidatedOptions<IngestOptions>(IngestOptions.SectionName);

        services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestOptions>>((kestrel, ingest) =>
        {
            var limits = ingest.Value.Limits;
            // Endpoints raise it where they stream media; everything else stays small.
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinRequestBodyGraceSeconds));
        });
        services.AddSingleton<TenantUploadGate>();

        services.AddSingleton<TenantDirectory>();
        services.AddSingleton<IngestMetrics>();
        services.AddSingleton<MediaUploader>();
        services.AddSingleton<RequestValidator>();
        services.AddSingleton<RequestPublisher>();
        services.AddSingleton<JobEventPublisher>();
        services.AddSingleton<WrittenDeliveries>();
        services.AddHostedService<PublisherWarmUp>();
        services.AddSingleton<InDoubtRequests>();
        services.AddHostedService<InDoubtResolver>();
        services.AddSingleton<IntakeService>();
        services.AddSingleton<IntakeEndpoint>();
        services.AddSingleton<JsonMedia>();
        services.AddSingleton<JsonForms>();

        services.AddSingleton<RequestStatusStore>();
        services.AddSingleton<CreditsLedger>();
        services.AddSingleton<StatusViews>();
        services.AddSingleton<StatusProjection>();
        services.AddSingleton<DashboardPage>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusProjection>());
        services.AddSingleton<InputSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<InputSweeper>());
        services.AddHealthChecks().AddCheck<StatusProjectionHealthCheck>("status-projection", tags: [ServiceDefaults.Extensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// The request log, /healthz, /readyz, /metrics, the dashboard page, and the API behind API-key authentication.
    /// </summary>
    public static WebApplication MapIngest(this WebApplication app)
    {
        // Outside the error middleware, so that each request's log line has the status the caller got.
        app.UseServiceDefaults();
        app.UseMiddleware<ApiErrorMiddleware>();
        app.MapDashboard();
        // Providers authenticate their own way (signatures, a callback key), not as tenants.
        app.MapWebhooks();
        app.MapGroup("")
            .AddEndpointFilter<TenantFilter>()
            .MapGenerate()
            .MapDevRun()
            .MapRequests()
            .MapRequestEvents();
        return app;
    }

    /// <summary>
    /// Ingest asks the providers' rules (<see cref="CinematicSwitch.Providers.IGenerationRunner.Check"/>) and runs no job, so it
    /// needs no provider keys; the options validation demands one per enabled provider, which a placeholder satisfies. The one
    /// key it may need is Replicate's, to read the webhook signing secret when none is configured. Routing, enabled providers,
    /// models and webhooks must be configured as for the processor.
    /// </summary>
    private sealed class CapabilityRulesOnly : IPostConfigureOptions<ProvidersOptions>, IValidateOptions<ProvidersOptions>
    {
        private const string NotUsed = "not-used-by-ingest";

        public ValidateOptionsResult Validate(string? name, ProvidersOptions options) =>
            options.Replicate.Webhook is { Enabled: true, Secret.Length: 0 } && options.Replicate.ApiKey == NotUsed
                ? ValidateOptionsResult.Fail("Providers:Replicate:Webhook: Ingest verifies Replicate's webhooks and needs either Webhook:Secret " +
                                             "(the signing secret) or Providers:Replicate:ApiKey (REPLICATE_API_TOKEN) to read it from Replicate.")
                : ValidateOptionsResult.Success;

        public void PostConfigure(string? name, ProvidersOptions options)
        {
            foreach (var provider in new ProviderOptions[] { options.Replicate, options.Runway, options.Leonardo })
            {
                if (string.IsNullOrWhiteSpace(provider.ApiKey))
                {
                    provider.ApiKey = NotUsed;
                }
            }
        }
    }
}
