using System.Diagnostics.Metrics;
using System.Reflection;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Streaming;

public static class StreamProcessingExtensions
{
    private static readonly MethodInfo AddStreamMethod =
        typeof(StreamProcessingExtensions).GetMethod(nameof(AddStreamOf), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// A key-parallel stream processor hosted for the life of the service, in one line: the handler, the options section
    /// (validated at startup) and the stream's topics, e.g.
    /// <c>services.AddStream&lt;TransformationHandler&gt;("Processor:Stream", s =&gt; s.From(Topics.Requested)...)</c>.
    /// The input's deserializer and each output's serializer come from DI; a "stream" readiness check reports its partitions.
    /// </summary>
    public static IServiceCollection AddStream<THandler>(this IServiceCollection services, string sectionName, Action<StreamBuilder> declare)
        where THandler : class
    {
        var contract = typeof(THandler).GetInterfaces().SingleOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStreamHandler<,>))
            ?? throw new ArgumentException($"{typeof(THandler).Name} does not implement IStreamHandler<TIn, TWork>.", nameof(THandler));
        var arguments = contract.GetGenericArguments();
        AddStreamMethod.MakeGenericMethod(arguments[0], arguments[1], typeof(THandler)).Invoke(null, [services, sectionName, declare]);
        return services;
    }

    private static void AddStreamOf<TIn, TWork, THandler>(IServiceCollection services, string sectionName, Action<StreamBuilder> declare)
        where THandler : class, IStreamHandler<TIn, TWork>
    {
        services.AddValidatedOptions<StreamProcessorOptions>(sectionName);
        services.AddSingleton(sp =>
        {
            var stream = new StreamBuilder();
            declare(stream);
            return stream.Build(sp, sp.GetRequiredService<IOptions<KafkaOptions>>().Value.Topic);
        });
        services.AddSingleton<IStreamHandler<TIn, TWork>, THandler>();
        services.AddSingleton(sp => new StreamHealth(sp.GetRequiredService<IOptions<StreamProcessorOptions>>().Value,
            sp.GetRequiredService<TimeProvider>()));
        services.AddHealthChecks().AddCheck<StreamHealth>("stream", tags: [Extensions.ReadyTag]);
        services.AddHostedService(sp => new StreamProcessorHost<TIn, TWork>(
            () => new StreamProcessor<TIn, TWork>(
                sp.GetRequiredService<KafkaClientFactory>(),
                sp.GetRequiredService<IOptions<StreamProcessorOptions>>().Value,
                sp.GetRequiredService<StreamDefinition>(),
                sp.GetRequiredService<IStreamHandler<TIn, TWork>>(),
                sp.GetRequiredService<IAsyncDeserializer<TIn>>(),
                sp.GetRequiredService<StreamHealth>(),
                sp.GetRequiredService<IMeterFactory>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger($"StreamProcessor.{typeof(TIn).Name}"))));
    }
}
