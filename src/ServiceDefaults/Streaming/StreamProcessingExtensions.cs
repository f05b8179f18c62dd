using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Streaming;

public static class StreamProcessingExtensions
{
    /// <summary>
    /// A key-parallel stream processor hosted for the life of the service: options from
    /// <paramref name="sectionName"/> (validated at startup), topics from the contract names under the Kafka
    /// prefix, the handler from DI.
    /// </summary>
    public static TBuilder AddStreamProcessor<TBuilder, TValue, THandler>(this TBuilder builder, string sectionName, Func<KafkaOptions, StreamTopics> topics)
        where TBuilder : IHostApplicationBuilder
        where THandler : class, IStreamHandler<TValue>
    {
        builder.Services.AddValidatedOptions<StreamProcessorOptions>(sectionName);
        builder.Services.AddSingleton(sp => topics(sp.GetRequiredService<IOptions<KafkaOptions>>().Value));
        builder.Services.AddSingleton<IStreamHandler<TValue>, THandler>();
        builder.Services.AddHostedService<StreamProcessorHost<TValue>>();
        return builder;
    }
}
