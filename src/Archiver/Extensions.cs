using CinematicSwitch.Archiver.Archiving;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Streaming;
using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Archiver;

public static class Extensions
{
    /// <summary>
    /// The archiver: service defaults, Kafka, S3, the schema registry's serializers, validated "Archiver" options,
    /// and the stream processor over cinematic.transformation.completed (options in "Archiver:Stream").
    /// </summary>
    public static TBuilder AddArchiver<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddServiceDefaults("archiver");
        builder.AddKafka();
        builder.AddObjectStorage();
        builder.Services.AddSchemaRegistry(builder.Configuration);
        builder.Services.AddValidatedOptions<ArchiverOptions>(ArchiverOptions.SectionName);
        builder.Services.AddSingleton<ArchiverMetrics>();
        builder.Services.AddSingleton<MediaDownloader>();
        builder.Services.AddSingleton<OutputArchiver>();

        // Defaults of the archiver's consumer, registered before the section is bound so that configuration wins.
        builder.Services.Configure<StreamProcessorOptions>(o =>
        {
            o.GroupId = "cinematic-archiver";
            // Downloads are heavy: fewer at once than the processor's polling jobs, and a tenant's requests need
            // no order among themselves here, so several of one tenant may run together.
            o.MaxInFlight = 16;
            o.MaxInFlightPerKey = 4;
            // A duplicate completed event is recognised for as long as the input topic keeps events.
            o.DeduplicationWindow = TimeSpan.FromDays(7);
        });
        builder.Services.AddStream<ArchiveHandler>(ArchiverOptions.StreamSectionName, stream => stream
            .From(Topics.Completed).WithState(Topics.ArchiverState).DeadLettersTo(Topics.CompletedDeadLetters)
            .Emits<TransformationArchived>(Topics.Archived).Emits<TransformationFailed>(Topics.Failed).Emits<CreditsRecorded>(Topics.CreditsRecorded));
        return builder;
    }
}
