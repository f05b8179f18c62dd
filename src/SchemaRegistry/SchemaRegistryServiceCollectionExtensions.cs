using System.Reflection;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Options;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.SchemaRegistry;

public static class SchemaRegistryServiceCollectionExtensions
{
    private static readonly MethodInfo AddEventSerdesMethod =
        typeof(SchemaRegistryServiceCollectionExtensions).GetMethod(nameof(AddEventSerdes), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Confluent's registry client over validated "SchemaRegistry" options (checked when the host starts), the event
    /// serdes, and for every event type its <see cref="ISerializer{T}"/>, <see cref="IAsyncSerializer{T}"/>,
    /// <see cref="IDeserializer{T}"/> and <see cref="IAsyncDeserializer{T}"/>; plus a "schema-registry" readiness check.
    /// </summary>
    public static IServiceCollection AddSchemaRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        // Failures and unknown keys are named by their full path (SchemaRegistry:RequestTimeoutMs), like every other section.
        services.AddValidatedOptions<SchemaRegistryOptions>(configuration, SchemaRegistryOptions.SectionName);
        services.TryAddSingleton<ISchemaRegistryClient>(sp =>
            new CachedSchemaRegistryClient(sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value.ClientConfig()));
        services.TryAddSingleton(sp => new EventSerdes(sp.GetRequiredService<ISchemaRegistryClient>(), sp.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value));
        foreach (var eventType in EventSchemas.EventTypes)
        {
            AddEventSerdesMethod.MakeGenericMethod(eventType).Invoke(null, [services]);
        }

        services.AddHealthChecks().AddCheck<SchemaRegistryHealthCheck>("schema-registry", tags: ["ready"]);
        return services;
    }

    private static void AddEventSerdes<T>(IServiceCollection services)
        where T : class, ICinematicEvent
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<EventSerdes>().Serializer<T>());
        services.TryAddSingleton<ISerializer<T>>(sp => sp.GetRequiredService<EventSerializer<T>>());
        services.TryAddSingleton<IAsyncSerializer<T>>(sp => sp.GetRequiredService<EventSerializer<T>>());
        services.TryAddSingleton(sp => sp.GetRequiredService<EventSerdes>().Deserializer<T>());
        services.TryAddSingleton<IDeserializer<T>>(sp => sp.GetRequiredService<EventDeserializer<T>>());
        services.TryAddSingleton<IAsyncDeserializer<T>>(sp => sp.GetRequiredService<EventDeserializer<T>>());
    }
}
