using System.Text.Json;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using Records = io.cinematicswitch.events;

namespace CinematicSwitch.Contracts.Benchmarks;

/// <summary>
/// One TransformationRequested (media reference, a description of a few hundred characters, video options) encoded
/// and decoded by the Kafka serdes the services use (Confluent's Avro serdes through the event's specific record, in the
/// Confluent wire format, schema id already resolved), by Confluent's serdes called directly (what the services'
/// serdes save over it), and by System.Text.Json (source-generated, snake_case, enums as strings: the JSON a service
/// would otherwise publish).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class TransformationRequestedBenchmarks : IDisposable
{
    private static readonly SerializationContext Context = new(MessageComponentType.Value, Topics.Requested);

    private readonly TransformationRequested _request = Sample();
    private StubRegistry _registry = null!;
    private EventSerdes _serdes = null!;
    private EventSerializer<TransformationRequested> _serializer = null!;
    private EventDeserializer<TransformationRequested> _deserializer = null!;
    private AvroSerializer<Records.TransformationRequested> _confluentSerializer = null!;
    private AvroDeserializer<Records.TransformationRequested> _confluentDeserializer = null!;
    private byte[] _avro = [];
    private byte[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        _registry = new StubRegistry(EventSchemas.JsonFor(typeof(TransformationRequested)));
        var options = new SchemaRegistryOptions { Url = _registry.Url };
        _serdes = new EventSerdes(options);
        _serializer = _serdes.Serializer<TransformationRequested>();
        _deserializer = _serdes.Deserializer<TransformationRequested>();
        _confluentSerializer = new AvroSerializer<Records.TransformationRequested>(_serdes.Registry, options.SerializerConfig());
        _confluentDeserializer = new AvroDeserializer<Records.TransformationRequested>(_serdes.Registry, SchemaRegistryOptions.DeserializerConfig());
        // The first value resolves the subject's id and the id's writer schema; every later one is the cached path.
        _avro = _serializer.Serialize(_request, Context);
        _json = JsonSerializer.SerializeToUtf8Bytes(_request, EventJson.Default.TransformationRequested);
        // Every path must give back the same record and bytes, or the comparison would be between different work.
        if (Avro_Deserialize() != _request || Json_Deserialize() != _request || Confluent_Deserialize() != _request
            || !Confluent_Serialize().AsSpan().SequenceEqual(_avro))
        {
            throw new InvalidOperationException("A round trip changed the request.");
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _serdes.Dispose();
        _registry.Dispose();
        GC.SuppressFinalize(this);
    }

    public int AvroBytes => _avro.Length;

    public int JsonBytes => _json.Length;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Serialize")]
    public byte[] Json_Serialize() => JsonSerializer.SerializeToUtf8Bytes(_request, EventJson.Default.TransformationRequested);

    [Benchmark]
    [BenchmarkCategory("Serialize")]
    public byte[] Avro_Serialize() => _serializer.Serialize(_request, Context);

    [Benchmark]
    [BenchmarkCategory("Serialize")]
    public byte[] Confluent_Serialize() => _confluentSerializer.SerializeAsync(Records.TransformationRequested.From(_request), Context).GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Deserialize")]
    public TransformationRequested Json_Deserialize() => JsonSerializer.Deserialize(_json, EventJson.Default.TransformationRequested)!;

    [Benchmark]
    [BenchmarkCategory("Deserialize")]
    public TransformationRequested Avro_Deserialize() => _deserializer.DeserializeAsync(_avro, false, Context).GetAwaiter().GetResult();

    [Benchmark]
    [BenchmarkCategory("Deserialize")]
    public TransformationRequested Confluent_Deserialize() =>
        _confluentDeserializer.DeserializeAsync(_avro, false, Context).GetAwaiter().GetResult().ToValue();

    private static TransformationRequested Sample() => new(
        RequestId: Guid.Parse("8d3c6a10-2f4e-4b7a-9c1d-5e6f7a8b9c0d"),
        TenantId: "tenant-northwind-studios",
        CorrelationId: "01J9ZK4QH2W7M3X8R5T6Y1N0PB",
        Requester: "skill:generate_outcome_video_win",
        OccurredAt: new DateTimeOffset(2025, 6, 2, 17, 45, 12, 345, TimeSpan.Zero),
        Task: TransformationTask.ImageToVideo,
        Media: new MediaReference(
            "s3://cinematic-inputs/tenant-northwind-studios/2025/06/02/8d3c6a10-2f4e-4b7a-9c1d-5e6f7a8b9c0d.jpg",
            "image/jpeg", MediaKind.Image, 3_871_204, "5f4dcc3b5aa765d61d8327deb882cf99a1b2c3d4e5f60718293a4b5c6d7e8f90"),
        SceneDescription: "The player's portrait becomes a triumphant starship captain on a sunlit bridge: crew applauding in the "
            + "background, a blue-white planet filling the viewport, confetti of holographic sparks drifting through the frame. "
            + "Camera slowly orbits from a low angle, lens flare from the nearby star, rich teal-and-orange grade, crisp detail "
            + "on the uniform insignia, the mood of a 1980s space-opera finale.",
        StylePreset: "futuristic",
        Prompt: null,
        OutputCount: 2,
        AspectRatio: "9:16",
        Video: new VideoOptions(DurationSeconds: 6, SeamlessLoop: true, Seed: 982_451_653L, CameraMotion: "low-angle orbit"),
        Provider: Events.Provider.Runway,
        Replay: null);
}

/// <summary>The JSON baseline: source-generated metadata, snake_case names and enum names, like the Avro fields and symbols.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(TransformationRequested))]
internal sealed partial class EventJson : JsonSerializerContext;
