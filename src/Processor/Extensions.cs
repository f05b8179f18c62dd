using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Processor.Handling;
using CinematicSwitch.Providers.Configuration;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Streaming;
using CinematicSwitch.Providers;

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
        // The processor reads back its own presigned links when a provider cannot fetch them: that S3 endpoint is the one
        // origin its guarded media reads may reach inside (AWS itself, without ServiceUrl, is public).
        if (builder.Configuration[$"{S3Options.SectionName}:ServiceUrl"] is { Length: > 0 } s3)
        {
            builder.Services.AddSingleton(new MediaStorageOrigin(new Uri(s3)));
        }

        builder.Services.AddSingleton<JobStartAnnouncer>();
        builder.Services.AddSingleton<ProcessorMetrics>();
        builder.Services.AddHostedService<JobEventsListener>();
        builder.Services.AddStream<TransformationHandler>($"{ProcessorOptions.SectionName}:Stream", stream => stream
            .From(Topics.Requested).WithState(Topics.ProcessorState).DeadLettersTo(Topics.RequestedDeadLetters)
            .Emits<TransformationCompleted>(Topics.Completed).Emits<TransformationFailed>(Topics.Failed));
        return builder;
    }
}
