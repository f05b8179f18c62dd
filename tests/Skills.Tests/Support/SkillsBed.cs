using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Skills.Client;
using CinematicSwitch.Skills.Samples;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Skills.Tests.Support;

/// <summary>
/// The pipeline a skill talks to (a test's own topology on the shared stack, the provider simulators, a processor and an
/// archiver as processes) and skill clients attached to it for one tenant, as a skill's process would be configured.
/// </summary>
internal sealed class SkillsBed : IAsyncDisposable
{
    private readonly List<SkillClient> _clients = [];
    private readonly IReadOnlyList<string> _videoProviders;

    private SkillsBed(PipelineTestbed pipeline, IReadOnlyList<string> videoProviders)
    {
        Pipeline = pipeline;
        _videoProviders = videoProviders;
    }

    public PipelineTestbed Pipeline { get; }

    /// <summary>The skills' tenant: a bed's own, as request ids (derived from tenant and key) name archived objects in the shared S3.</summary>
    public string Tenant { get; } = $"campaigns-{Guid.NewGuid():N}"[..18];

    /// <summary>What every client of this bed logged.</summary>
    public LogCapture Logs { get; } = new();

    /// <param name="videoProviders">Providers:Routing:VideoProviders of the processor; empty for its default (Runway, then Leonardo).</param>
    public static async Task<SkillsBed> StartAsync(string test, params string[] videoProviders) =>
        new(await PipelineTestbed.StartAsync(test, partitions: 2, latencyMs: 300), videoProviders);

    /// <summary>Starts the processor (with this bed's video routing) and the archiver.</summary>
    public void StartServices()
    {
        var routing = _videoProviders.Select((p, i) => (Key: $"Providers:Routing:VideoProviders:{i}", Value: p)).ToDictionary(r => r.Key, r => r.Value);
        Pipeline.StartProcessor("processor", routing);
        Pipeline.StartArchiver("archiver");
    }

    public SkillClientOptions ClientOptions() => new()
    {
        TenantId = Tenant,
        BootstrapServers = Pipeline.Stack.Kafka.BootstrapServers,
        TopicPrefix = Pipeline.Prefix,
        SchemaRegistryUrl = Pipeline.Stack.SchemaRegistry.Url,
    };

    /// <summary>A started client; disposed with the bed unless disposed before.</summary>
    public async Task<SkillClient> StartClientAsync()
    {
        var client = new SkillClient(ClientOptions(), new LoggerFactory([Logs]).CreateLogger<SkillClient>());
        _clients.Add(client);
        await client.StartAsync(CancellationToken.None);
        return client;
    }

    public Task<MediaReference> StyleImageAsync(string campaign) =>
        CampaignAssets.PutStyleImageAsync(Pipeline.Store, Pipeline.Prefix, Tenant, campaign, CancellationToken.None);

    /// <summary>An archived object copied to a temporary file (deleted by the caller).</summary>
    public async Task<string> DownloadAsync(string s3Uri)
    {
        using var stored = await Pipeline.Store.GetAsync(S3ObjectRef.Parse(s3Uri), CancellationToken.None);
        var file = Path.Combine(Path.GetTempPath(), $"skill-{Guid.NewGuid():N}.mp4");
        await using var copy = File.Create(file);
        await stored.ResponseStream.CopyToAsync(copy);
        return file;
    }

    /// <summary>The credits ledger's entries as they are on the topic (copies included), waiting for <paramref name="expected"/>.</summary>
    public async Task<IReadOnlyList<CreditsRecorded>> LedgerAsync(int expected) =>
        (await TopicReader.ReadAsync<string, CreditsRecorded>(Pipeline.Stack.Kafka.BootstrapServers, Pipeline.Topic(Topics.CreditsRecorded), expected,
            Pipeline.Serdes.Deserializer<CreditsRecorded>(), TimeSpan.FromSeconds(60)))
        .Select(r => r.Message.Value).ToList();

    /// <summary>The requests on the requested topic (every record, copies included), waiting for <paramref name="expected"/>.</summary>
    public async Task<IReadOnlyList<TransformationRequested>> RequestsAsync(int expected) =>
        (await TopicReader.ReadAsync<string, TransformationRequested>(Pipeline.Stack.Kafka.BootstrapServers, Pipeline.Topic(Topics.Requested), expected,
            Pipeline.Serdes.Deserializer<TransformationRequested>(), TimeSpan.FromSeconds(30)))
        .Select(r => r.Message.Value).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        await Pipeline.DisposeAsync();
        Logs.Dispose();
    }
}
