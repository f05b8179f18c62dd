using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Processor.Handling;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Streaming;

namespace CinematicSwitch.Processor;

public static class Extensions
{
    /// <summary>Everything the processor runs on: Kafka, S3, the registry's serdes, the providers, and the stream processor.</summary>
    public static WebApplicationBuilder AddProcessor(this WebApplicationBuilder builder)
    {
        builder.AddKafka();
        builder.AddObjectStorage();
        builder.Services.AddSchemaRegistry(builder.Configuration);
        builder.Services.AddProviders(builder.Configuration);
        builder.Services.ValidateOptionsSection<ProvidersOptions>(ProvidersOptions.SectionName);
        builder.Services.AddValidatedOptions<ProcessorOptions>(ProcessorOptions.SectionName);
        builder.Services.AddSingleton<MediaResolver>();
        builder.Services.AddSingleton<JobStartAnnouncer>();
        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddHostedService<JobEventsListener>();
        builder.Services.AddStream<TransformationHandler>($"{ProcessorOptions.SectionName}:Stream", stream => stream
            .From(Topics.Requested).WithState(Topics.ProcessorState).DeadLettersTo(Topics.RequestedDeadLetters)
            .Emits<TransformationCompleted>(Topics.Completed).Emits<TransformationFailed>(Topics.Failed));
        return builder;
    }
}
