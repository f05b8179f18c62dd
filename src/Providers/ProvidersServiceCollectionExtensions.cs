using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.Providers.Running;
using CinematicSwitch.Providers.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class ProvidersServiceCollectionExtensions
{
    /// <summary>
    /// The provider adapters behind <see cref="CinematicSwitch.Providers.IGenerationRunner"/>: options from the "Providers" section
    /// (and the seed specs' flat environment names), validated at startup; one named HttpClient per provider, whose logged
    /// headers are all redacted; the runner as a singleton.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProvidersOptions>().Bind(configuration.GetSection(ProvidersOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<ProvidersOptions>>(new ProvidersEnvironmentSetup(configuration));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProvidersOptions>, ProvidersOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        foreach (var name in new[] { ReplicateAdapter.ClientName, RunwayAdapter.ClientName, LeonardoAdapter.ClientName })
        {
            // Timeouts are the Polly pipeline's; the key is in a header that logging must never print.
            services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan).RedactLoggedHeaders(_ => true);
        }

        // Media URLs are read through the SSRF guard, not a named client.
        services.TryAddSingleton<MediaDelivery>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, ReplicateAdapter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, RunwayAdapter>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProviderAdapter, LeonardoAdapter>());
        services.TryAddSingleton<CinematicSwitch.Providers.IGenerationRunner, GenerationRunner>();
        services.TryAddSingleton<JobDoorbell>();
        services.TryAddSingleton<IJobDoorbell>(sp => sp.GetRequiredService<JobDoorbell>());
        services.TryAddSingleton<IProviderWebhooks, ProviderWebhooks>();
        return services;
    }
}
