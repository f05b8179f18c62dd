using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Processor.Handling;
using CinematicSwitch.Providers;
using CinematicSwitch.Providers.Planning;
using CinematicSwitch.ServiceDefaults;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// Ingest refuses at the API what the processor would refuse, and accepts what the processor would run, on the same
/// provider: for every task, preferred provider and style preset (with every kind of media, a few aspect ratios, with and
/// without video options). Both services are composed as their programs compose them, on one configuration, except that
/// Ingest is given no provider keys, as it is deployed.
/// </summary>
[Trait("Category", "Stack")]
public sealed class CapabilityAgreementTests
{
    private const string Tenant = "tenant-agree";

    private static readonly Dictionary<TransformationTask, string> TaskNames = new()
    {
        [TransformationTask.ImageTransform] = "IMAGE_TRANSFORM",
        [TransformationTask.ImageToVideo] = "IMAGE_TO_VIDEO",
        [TransformationTask.TextToVideo] = "TEXT_TO_VIDEO",
        [TransformationTask.VideoToVideo] = "VIDEO_TO_VIDEO",
    };

    private static readonly MediaReference?[] Media =
    [
        null,
        new($"s3://cinematic-inputs/{Tenant}/photo/input", "image/png", MediaKind.Image, 2048, new string('a', 64)),
        new($"s3://cinematic-inputs/{Tenant}/clip/input", "video/mp4", MediaKind.Video, 4096, new string('b', 64)),
    ];

    [Fact]
    public async Task Ingests_capability_check_and_the_processors_mapping_agree_for_every_task_provider_and_style()
    {
        var stack = await SharedStack.GetAsync();
        await using var ingest = Compose(stack, ingest: true);
        await using var processor = Compose(stack, ingest: false);
        var validator = ingest.Services.GetRequiredService<RequestValidator>();
        var ingestRunner = ingest.Services.GetRequiredService<IGenerationRunner>();
        var handler = ActivatorUtilities.CreateInstance<TransformationHandler>(processor.Services);
        var processorRunner = processor.Services.GetRequiredService<IGenerationRunner>();

        var accepted = new HashSet<(TransformationTask, Provider?)>();
        var refused = 0;
        var combinations = 0;
        foreach (var task in TaskNames.Keys)
        {
            foreach (var provider in new Provider?[] { null, Provider.Replicate, Provider.Runway, Provider.Leonardo })
            {
                foreach (var style in StylePresets.Names.Prepend(null))
                {
                    foreach (var media in Media)
                    {
                        foreach (var ratio in new[] { "original", "16:9", "1:1", "4:3" })
                        {
                            // Ingest refuses video options on an image task by its own rule, before any capability.
                            foreach (var video in task == TransformationTask.ImageTransform ? [null] : new[] { null, new VideoOptions(8, true, null, null) })
                            {
                                combinations++;
                                var requestId = Guid.NewGuid();
                                var context = new IntakeContext(IntakeContract.Generate, Tenant, requestId, false, "corr-agree", "test");
                                var occurredAt = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
                                var sent = new TransformationRequested(requestId, Tenant, context.CorrelationId, context.Requester, occurredAt, task,
                                    media, "a medieval knight in a castle", style, null, 1, ratio, video, provider, null);
                                var what = $"{task} via {provider?.ToString() ?? "any"}, style {style ?? "none"}, {media?.Kind.ToString() ?? "no media"}, {ratio}, " +
                                           (video is null ? "no video options" : "video options");

                                var prepared = handler.Prepare(sent, Tenant);
                                var processorProvider = prepared.Work.Refusal is null && prepared.Lane != TransformationHandler.NoProvider
                                    ? prepared.Lane
                                    : null;
                                TransformationRequested? published;
                                ApiException? refusal = null;
                                try
                                {
                                    published = validator.Validate(FieldsOf(sent), context, media, occurredAt);
                                }
                                catch (ApiException e)
                                {
                                    published = null;
                                    refusal = e;
                                }

                                if (published is not null)
                                {
                                    // What Ingest publishes is what it was asked, and the processor runs it on the provider Ingest's check chose.
                                    Assert.True(published == sent, $"{what}: Ingest published another request than it was asked");
                                    Assert.True(processorProvider is not null, $"{what}: Ingest accepts it, the processor refuses it");
                                    Assert.Equal(ingestRunner.Check(GenerationRequest.From(published)).Provider?.ToString(), processorProvider);
                                    Assert.Equal(GenerationRequest.From(published), prepared.Work.Generation);
                                    accepted.Add((task, provider));
                                    continue;
                                }

                                refused++;
                                Assert.True(processorProvider is null, $"{what}: Ingest refuses it ({refusal!.Message}), the processor runs it on {processorProvider}");
                                if (prepared.Work.Generation is { } generation && processorRunner.Check(generation).Refusal is { } processorRefusal)
                                {
                                    // The same limit named on both sides: the API's message or its reason is the runner's own refusal.
                                    Assert.Contains(processorRefusal.Message, new[] { refusal!.Error.Message, refusal.Error.Details.GetValueOrDefault("reason") as string });
                                }
                            }
                        }
                    }
                }
            }
        }

        // Both answers occur, for every task: the enumeration reaches what each provider serves and what none does.
        Assert.True(refused > 0 && refused < combinations, $"{refused} of {combinations} refused");
        Assert.Equal(TaskNames.Keys.Order(), accepted.Select(a => a.Item1).Distinct().Order());
    }

    /// <summary>The request's fields as a client sends them to POST /generate/cinematic.</summary>
    private static IntakeFields FieldsOf(TransformationRequested request)
    {
        var fields = new IntakeFields();
        fields.Set(Fields.SceneDescription, FieldValue.FromText(request.SceneDescription));
        fields.Set(Fields.Task, FieldValue.FromText(TaskNames[request.Task]));
        fields.Set(Fields.AspectRatio, FieldValue.FromText(request.AspectRatio));
        if (request.Provider is { } provider)
        {
            fields.Set(Fields.Provider, FieldValue.FromText(provider.ToString().ToUpperInvariant()));
        }

        if (request.StylePreset is { } style)
        {
            fields.Set(Fields.StylePreset, FieldValue.FromText(style));
        }

        if (request.Video is { } video)
        {
            fields.Set(Fields.DurationSeconds, FieldValue.FromText(video.DurationSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            fields.Set(Fields.SeamlessLoop, FieldValue.FromText(video.SeamlessLoop ? "true" : "false"));
        }

        return fields;
    }

    /// <summary>A service composed as its program composes it (not started), on the shared stack.</summary>
    private static WebApplication Compose(TestStack stack, bool ingest)
    {
        var s3 = stack.S3.Options;
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = stack.Kafka.BootstrapServers,
            ["Kafka:TopicPrefix"] = TestKafka.NewPrefix("agree"),
            ["SchemaRegistry:Url"] = stack.SchemaRegistry.Url,
            ["S3:ServiceUrl"] = s3.ServiceUrl,
            ["S3:Region"] = s3.Region,
            ["S3:AccessKey"] = s3.AccessKey,
            ["S3:SecretKey"] = s3.SecretKey,
            ["S3:ForcePathStyle"] = s3.ForcePathStyle.ToString(),
            ["S3:InputsBucket"] = s3.InputsBucket,
            ["S3:ArchiveBucket"] = s3.ArchiveBucket,
        };
        if (ingest)
        {
            settings["Ingest:Tenants:0:TenantId"] = Tenant;
            settings["Ingest:Tenants:0:ApiKeySha256"] = new string('0', 64);
        }
        else
        {
            // Keys the processor needs to call providers; none of them is called here.
            settings["Providers:Replicate:ApiKey"] = "r8_agreement";
            settings["Providers:Runway:ApiKey"] = "key_agreement";
            settings["Providers:Leonardo:ApiKey"] = "leonardo-agreement";
            settings["Processor:Stream:GroupId"] = "agreement";
        }

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        if (ingest)
        {
            builder.AddIngest();
        }
        else
        {
            builder.AddServiceDefaults("processor");
            builder.AddProcessor();
        }

        return builder.Build();
    }
}
