using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Providers.Simulators;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Testing;

/// <summary>
/// A test's own topology (under a prefix) on the shared stack (or a stack of its own), provider simulators, and the
/// services run as OS processes from their build output, configured only by environment variables (as a container would be).
/// </summary>
public sealed class PipelineTestbed : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];
    private readonly IProducer<string, byte[]> _producer;
    private readonly bool _ownsStack;

    private PipelineTestbed(TestStack stack, bool ownsStack, string prefix, ProviderSimulators simulators)
    {
        Stack = stack;
        _ownsStack = ownsStack;
        Prefix = prefix;
        Simulators = simulators;
        Serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
        _producer = stack.Kafka.ClientFactory(prefix).CreateProducer<string, byte[]>("test-requests");
        Store = stack.S3.CreateStore();
    }

    public TestStack Stack { get; }

    public string Prefix { get; }

    public ProviderSimulators Simulators { get; }

    public EventSerdes Serdes { get; }

    public ObjectStore Store { get; }

    /// <summary>Every line the services wrote, for diagnosis and for checking what never reaches logs.</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public string Topic(string contractName) => Prefix + contractName;

    /// <summary>Waits until a line of <paramref name="service"/> (its log prefix, "processor-1 |") contains <paramref name="text"/>.</summary>
    public async Task WaitForLogAsync(string service, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Logs.Any(l => l.StartsWith(service, StringComparison.Ordinal) && l.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{service} logged no \"{text}\" within {timeout}.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The consumer group a service of <paramref name="project"/> joins: the prefix and the project's name.</summary>
    public string GroupId(string project) => Prefix + project.ToLowerInvariant();

    public static async Task<PipelineTestbed> StartAsync(string test, int partitions, int latencyMs) =>
        await StartAsync(await SharedStack.GetAsync(), ownsStack: false, test, partitions, latencyMs);

    /// <summary>On a stack of its own (<see cref="TestStack.StartPrivateAsync"/>), for tests that take brokers down; disposed with the testbed.</summary>
    public static async Task<PipelineTestbed> StartPrivateAsync(string test, int partitions, int latencyMs) =>
        await StartAsync(await TestStack.StartPrivateAsync(), ownsStack: true, test, partitions, latencyMs);

    private static async Task<PipelineTestbed> StartAsync(TestStack stack, bool ownsStack, string test, int partitions, int latencyMs)
    {
        var prefix = TestKafka.NewPrefix(test);
        await stack.Kafka.CreateTopologyAsync(prefix, partitions);
        var simulators = await TestSimulators.StartAsync(new SimulatorOptions { LatencyMs = latencyMs });
        return new PipelineTestbed(stack, ownsStack, prefix, simulators);
    }

    /// <summary>Starts a processor process; <paramref name="settings"/> override defaults (configuration keys, ':' separated).</summary>
    public ServiceProcess StartProcessor(string name, IReadOnlyDictionary<string, string>? settings = null) =>
        StartService("Processor", name, settings);

    /// <summary>Starts an archiver process allowed to fetch the simulators' outputs (loopback origins), with presigned links.</summary>
    public ServiceProcess StartArchiver(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var configuration = new Dictionary<string, string> { ["Archiver:PresignedUrlExpiry"] = "00:30:00" };
        var origins = Simulators.All.Select(s => s.Origin.GetLeftPart(UriPartial.Authority)).ToList();
        for (var i = 0; i < origins.Count; i++)
        {
            configuration[$"Archiver:Download:LoopbackOrigins:{i}"] = origins[i];
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        return StartService("Archiver", name, configuration);
    }

    /// <summary>
    /// Starts a service (src/{project}) attached to this testbed's Kafka prefix, registry, S3 and simulators, with
    /// its consumer group (if it has one) under the prefix; <paramref name="settings"/> override defaults.
    /// </summary>
    public ServiceProcess StartService(string project, string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        var s3 = Stack.S3.Options;
        var configuration = new Dictionary<string, string>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Kafka:BootstrapServers"] = Stack.Kafka.BootstrapServers,
            ["Kafka:TopicPrefix"] = Prefix,
            ["Kafka:SessionTimeoutMs"] = "6000",
            ["Kafka:FetchWaitMaxMs"] = "10",
            ["SchemaRegistry:Url"] = Stack.SchemaRegistry.Url,
            ["S3:ServiceUrl"] = s3.ServiceUrl ?? "",
            ["S3:Region"] = s3.Region,
            ["S3:AccessKey"] = s3.AccessKey ?? "",
            ["S3:SecretKey"] = s3.SecretKey ?? "",
            ["S3:ForcePathStyle"] = s3.ForcePathStyle.ToString(),
            ["S3:DisableChunkedUploads"] = s3.DisableChunkedUploads.ToString(),
            ["S3:InputsBucket"] = s3.InputsBucket,
            ["S3:ArchiveBucket"] = s3.ArchiveBucket,
            ["Providers:Replicate:PollIntervalMs"] = "200",
            ["Providers:Replicate:PreferWaitSeconds"] = "1",
            ["Providers:Runway:PollIntervalMs"] = "200",
            ["Providers:Leonardo:PollIntervalMs"] = "200",
        };
        // Ingest reads the topics without a consumer group (and refuses options it does not have).
        if (project != "Ingest")
        {
            configuration[$"{project}:Stream:GroupId"] = GroupId(project);
            configuration[$"{project}:Stream:CommitInterval"] = "00:00:00.200";
        }

        foreach (var (key, value) in Simulators.ProviderConfiguration())
        {
            configuration[key] = value ?? "";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        var environment = configuration.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        var process = ServiceProcess.Start(name, ServiceProcess.AssemblyPath(project, BuildConfiguration), environment,
            line => Logs.Enqueue($"{name} | {line}"), NullLogger.Instance);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// Starts Ingest on a free loopback port for one tenant, whose API key is made up here (Ingest is given only its
    /// SHA-256), and waits until it is ready (its status projection has read the topics).
    /// </summary>
    /// <param name="port">Where it listens (a port known beforehand, for settings that name Ingest's own URL); a free one by default.</param>
    public async Task<IngestProcess> StartIngestAsync(string name, string tenantId, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        var apiKey = "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var url = new Uri($"http://127.0.0.1:{port ?? LoopbackPorts.Free()}");
        var configuration = new Dictionary<string, string>
        {
            ["Urls"] = url.GetLeftPart(UriPartial.Authority),
            ["Ingest:Tenants:0:TenantId"] = tenantId,
            ["Ingest:Tenants:0:ApiKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        var process = StartService("Ingest", name, configuration);
        try
        {
            await process.WaitUntilReadyAsync(url, TimeSpan.FromSeconds(90), TimeProvider.System, CancellationToken.None);
            return new IngestProcess(process, url, apiKey);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new TimeoutException($"{e.Message}\n{string.Join(Environment.NewLine, Logs.TakeLast(60))}", e);
        }
    }

    /// <summary>
    /// Uploads an image to the inputs bucket under the tenant's own prefix (the processor takes no other tenant's media)
    /// and returns the reference a request of that tenant carries.
    /// </summary>
    public async Task<MediaReference> UploadImageAsync(string tenant)
    {
        var png = MediaStore.Png(64, 48);
        var key = $"{tenant}/{Prefix}{Guid.NewGuid():N}.png";
        await using var content = new MemoryStream(png);
        var location = await Store.PutAsync(Store.Options.InputsBucket, key, content, "image/png", null, CancellationToken.None);
        return new MediaReference(location.Uri, "image/png", MediaKind.Image, png.Length, Convert.ToHexStringLower(SHA256.HashData(png)));
    }

    /// <summary>One image for each of <paramref name="tenants"/>, each under its own tenant's prefix.</summary>
    public async Task<IReadOnlyDictionary<string, MediaReference>> UploadImagesAsync(IEnumerable<string> tenants)
    {
        var media = new Dictionary<string, MediaReference>(StringComparer.Ordinal);
        foreach (var tenant in tenants.Distinct())
        {
            media[tenant] = await UploadImageAsync(tenant);
        }

        return media;
    }

    public static TransformationRequested Request(string tenant, MediaReference? media, string description, int outputCount = 1,
        TransformationTask task = TransformationTask.ImageTransform) => new(
        Guid.NewGuid(), tenant, Guid.NewGuid().ToString(), "test:processor",
        DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), task, media,
        description, null, null, outputCount, "original", null, null, null);

    /// <summary>Publishes a request keyed by its tenant; returns where it landed once the brokers acknowledged it.</summary>
    public async Task<TopicPartitionOffset> PublishAsync(TransformationRequested request, Headers? headers = null)
    {
        var topic = Topic(Topics.Requested);
        var value = await Serdes.Serializer<TransformationRequested>().SerializeAsync(request, topic);
        return (await _producer.ProduceAsync(topic, new Message<string, byte[]> { Key = request.TenantId, Value = value, Headers = headers })).TopicPartitionOffset;
    }

    /// <summary>Publishes bytes as they are (null: a tombstone) to the requested topic, or to <paramref name="contractTopic"/>; returns where they landed.</summary>
    public async Task<TopicPartitionOffset> PublishRawAsync(string key, byte[]? value, string contractTopic = Topics.Requested) =>
        (await _producer.ProduceAsync(Topic(contractTopic), new Message<string, byte[]> { Key = key, Value = value! })).TopicPartitionOffset;

    /// <summary>A topic's records as they are, headers included (waiting for <paramref name="expected"/>, then reading on briefly so extras show).</summary>
    public Task<List<ConsumeResult<string, byte[]?>>> ReadRawAsync(string contractTopic, int expected = 0, TimeSpan? timeout = null) =>
        TopicReader.ReadAsync<string, byte[]?>(Stack.Kafka.BootstrapServers, Topic(contractTopic), expected, null, timeout);

    /// <summary>How many records of a topic the group of <paramref name="project"/> has not committed yet (over all partitions).</summary>
    public Task<long> LagAsync(string project, string contractTopic) => Task.Run(() =>
    {
        var config = new ConsumerConfig { BootstrapServers = Stack.Kafka.BootstrapServers, GroupId = GroupId(project), EnableAutoCommit = false };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = Stack.Kafka.BootstrapServers }).Build();
        var topic = Topic(contractTopic);
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10))
            .Sum(c => consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).High.Value - Math.Max(0, c.Offset.Value));
    });

    /// <summary>
    /// Every outcome event published so far (waiting until <paramref name="expected"/> arrived), read as a consumer that
    /// honours the fencing rule reads them: of the records of one identity on one topic from one stream, the first
    /// counts, and a later one is a copy (<see cref="Outcomes.Copies"/>) when byte-identical, a conflict otherwise.
    /// </summary>
    public async Task<Outcomes> OutcomesAsync(int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var completed = await DistinctAsync(Topics.Completed, Serdes.Deserializer<TransformationCompleted>());
            var failed = await DistinctAsync(Topics.Failed, Serdes.Deserializer<TransformationFailed>());
            var outcomes = new Outcomes(completed.Values, failed.Values, completed.Copies + failed.Copies, [.. completed.Conflicts, .. failed.Conflicts]);
            if (outcomes.Count >= expected || DateTime.UtcNow > deadline)
            {
                return outcomes;
            }

            await Task.Delay(500);
        }
    }

    private async Task<(List<T> Values, int Copies, IReadOnlyList<string> Conflicts)> DistinctAsync<T>(string contractTopic, IAsyncDeserializer<T> deserializer)
    {
        var view = new FencedView(await ReadRawAsync(contractTopic, 0, TimeSpan.FromSeconds(30)));
        var values = new List<T>();
        foreach (var record in view.Outcomes.Values.Concat(view.Unidentified).OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value))
        {
            values.Add(await deserializer.DeserializeAsync(record.Message.Value, record.Message.Value is null,
                new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers)));
        }

        return (values, view.Copies, view.Conflicts);
    }

    /// <summary>The TransformationStarted events published so far (at least <paramref name="expected"/>, unless the timeout passed).</summary>
    public async Task<IReadOnlyList<TransformationStarted>> StartedAsync(int expected, TimeSpan timeout) =>
        (await TopicReader.ReadAsync<string, TransformationStarted>(Stack.Kafka.BootstrapServers, Topic(Topics.Started), expected,
            Serdes.Deserializer<TransformationStarted>(), timeout)).Select(r => r.Message.Value).ToList();

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        _producer.Dispose();
        Serdes.Dispose();
        await Simulators.DisposeAsync();
        if (_ownsStack)
        {
            await Stack.DisposeAsync();
        }
    }

    /// <summary>The build configuration of this test assembly (Debug or Release), to start services built alike.</summary>
    private static string BuildConfiguration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
}

/// <summary>A running Ingest, where it listens, and the API key of its one tenant.</summary>
public sealed record IngestProcess(ServiceProcess Process, Uri Url, string ApiKey);

/// <param name="Copies">Byte-identical copies of outcomes seen and not counted (a new owner relaying its fenced predecessor's decision).</param>
/// <param name="Conflicts">Identities with two different outcomes from one stream: what exactly-once forbids.</param>
public sealed record Outcomes(IReadOnlyList<TransformationCompleted> Completed, IReadOnlyList<TransformationFailed> Failed, int Copies,
    IReadOnlyList<string> Conflicts)
{
    public int Count => Completed.Count + Failed.Count;

    /// <summary>How many distinct outcome events each request has.</summary>
    public Dictionary<Guid, int> PerRequest() =>
        Completed.Select(c => c.RequestId).Concat(Failed.Select(f => f.RequestId))
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
}
