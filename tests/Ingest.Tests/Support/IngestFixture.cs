using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>
/// One Ingest host per test class on the shared stack, with topics of its own (a fresh prefix), plus what tests need
/// around it: reading the requested topic through the registry, producing outcome events as the processor and
/// archiver would, and looking into the inputs bucket.
/// </summary>
public class IngestFixture : IAsyncLifetime
{
    internal TestStack Stack { get; private set; } = null!;

    internal IngestHost Host { get; private set; } = null!;

    internal string Prefix { get; private set; } = "";

    internal ObjectStore Store { get; private set; } = null!;

    internal EventSerdes Serdes { get; private set; } = null!;

    /// <summary>Settings the host of this fixture starts with (a subclass or test may start more hosts with them).</summary>
    internal Dictionary<string, string?> Settings { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Stack = await SharedStack.GetAsync();
        Prefix = TestKafka.NewPrefix("ingest");
        await Stack.Kafka.CreateTopologyAsync(Prefix);
        Settings = IngestHost.Settings(Stack.Kafka.BootstrapServers, Prefix, Stack.SchemaRegistry.Url, Stack.S3, ExtraSettings);
        Host = await IngestHost.StartAsync(Settings);
        Store = Stack.S3.CreateStore();
        Serdes = new EventSerdes(new SchemaRegistryOptions { Url = Stack.SchemaRegistry.Url });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        Serdes.Dispose();
    }

    /// <summary>Settings of this fixture's host beyond the defaults of <see cref="IngestHost.Settings"/>.</summary>
    protected virtual IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>Another host on this fixture's topics (a second instance, a restart), with extra settings.</summary>
    internal Task<IngestHost> StartHostAsync(IReadOnlyDictionary<string, string?>? overrides = null) =>
        IngestHost.StartAsync(new Dictionary<string, string?>(Settings).Concat(overrides ?? new Dictionary<string, string?>())
            .GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value));

    internal string Topic(string contractName) => Prefix + contractName;

    /// <summary>A valid image request (plus <paramref name="fields"/>) accepted, and its event as published.</summary>
    internal async Task<(Guid Id, TransformationRequested Requested)> SubmitAsync(HttpClient client, params (string Name, string Value)[] fields)
    {
        using var response = await client.PostAsync("/generate/cinematic", Forms.ValidImage(fields));
        var id = (await response.ExpectAsync(System.Net.HttpStatusCode.Accepted)).RequestId();
        return (id, Assert.Single((await RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id));
    }

    /// <summary>The requested events on this fixture's topic, decoded through the schema registry.</summary>
    internal async Task<List<ConsumeResult<string, TransformationRequested>>> RequestedAsync(int expected, TimeSpan? timeout = null) =>
        await TopicReader.ReadAsync<string, TransformationRequested>(Stack.Kafka.BootstrapServers, Topic(Topics.Requested), expected,
            Serdes.Deserializer<TransformationRequested>(), timeout ?? TimeSpan.FromSeconds(expected == 0 ? 2 : 30));

    /// <summary>Publishes an event as the pipeline would: keyed by tenant, Avro through the registry.</summary>
    internal async Task ProduceAsync<T>(string contractTopic, T value)
        where T : class, ICinematicEvent
    {
        var topic = Topic(contractTopic);
        var bytes = await Serdes.Serializer<T>().SerializeAsync(value, new SerializationContext(MessageComponentType.Value, topic));
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Stack.Kafka.BootstrapServers }).Build();
        await producer.ProduceAsync(topic, new Message<string, byte[]> { Key = value.TenantId, Value = bytes });
    }

    /// <summary>The objects under a prefix of the inputs bucket (every page of the listing).</summary>
    internal async Task<List<S3Object>> InputsAsync(string keyPrefix)
    {
        var objects = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = Store.Options.InputsBucket, Prefix = keyPrefix };
        while (true)
        {
            var response = await Store.Client.ListObjectsV2Async(request);
            objects.AddRange(response.S3Objects ?? []);
            if (response.IsTruncated != true)
            {
                return objects;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    internal async Task<byte[]> ReadObjectAsync(string uri)
    {
        using var response = await Store.GetAsync(S3ObjectRef.Parse(uri), CancellationToken.None);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    internal async Task<(long Length, string Sha256)> HashObjectAsync(string uri)
    {
        using var response = await Store.GetAsync(S3ObjectRef.Parse(uri), CancellationToken.None);
        using var sha = System.Security.Cryptography.SHA256.Create();
        var hash = await sha.ComputeHashAsync(response.ResponseStream);
        return (response.ContentLength, Convert.ToHexStringLower(hash));
    }
}
