using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.DevStack;
using CinematicSwitch.Ingest.Benchmarks;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Topology;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;

// One run, one machine, both sides measured in the same run (machines here are shared and noisy: compare ratios).
// Usage: [scale] [configuration] — scale multiplies the upload counts (e.g. 0.3 for a quick look).
var scale = args.Length > 0 && double.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 1.0;
var configuration = args.Length > 1 ? args[1] : "Release";
int Count(int n, int minimum) => Math.Max(minimum, (int)(n * scale));
const long Mib = 1024 * 1024;
const long PartSize = 8 * Mib; // Ingest:UploadPartBytes' default

await using var stack = await EmbeddedStack.StartAsync(
    new DevStackOptions { S3Port = 0, DataDirectory = ".devstack-bench-ingest" },
    new TopologyOptions { Partitions = 12, ReplicationFactor = 3 },
    NullLoggerFactory.Instance, CancellationToken.None);
var apiKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
var apiKeyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
await using var ingest = await IngestProcess.StartAsync(stack, configuration, "bench", apiKeyHash);
using var s3 = S3ClientFactory.Create(stack.S3Options);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = ingest.Url, Timeout = TimeSpan.FromMinutes(10) };
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);

Console.WriteLine($"Ingest benchmark: {Environment.ProcessorCount} cores, Ingest ({configuration}) in its own process, s3rver, embedded Kafka (3 brokers, 12 partitions)");

var scenarios = new (string Name, Func<int, TestMedia> Media, string ContentType, int Count, int Concurrency)[]
{
    ("1 MB images", i => TestMedia.Jpeg(1024 * 1024, seed: i), "image/jpeg", Count(300, 20), 8),
    ("100 MB videos", i => TestMedia.Mp4(100 * Mib, seed: i), "video/mp4", Count(12, 2), 2),
};

var results = new List<Result>();
foreach (var scenario in scenarios)
{
    // Warm-up of both paths (JIT, connections, pools), then the bare put, then Ingest, each with its own peak.
    await RunAsync(2, 2, i => PutAsync(scenario.Media(-1 - i)));
    await RunAsync(2, 2, i => UploadAsync(scenario.Media(-1 - i), scenario.ContentType));

    var self = ProcessMemory.Self;
    GC.Collect();
    var bareIdle = self.Resident;
    self.ResetPeak();
    var bare = await RunAsync(scenario.Count, scenario.Concurrency, i => PutAsync(scenario.Media(i)));
    var barePeak = self.Peak - bareIdle;

    // The same bytes the way Ingest stores media larger than one part: multipart, 8 MiB parts, one after the other.
    var multipart = scenario.Media(0).Length > PartSize
        ? await RunAsync(scenario.Count, scenario.Concurrency, i => PutMultipartAsync(scenario.Media(2000 + i)))
        : (double?)null;

    var memory = ingest.Memory;
    var ingestIdle = memory.Resident;
    memory.ResetPeak();
    var accepted = await RunAsync(scenario.Count, scenario.Concurrency, i => UploadAsync(scenario.Media(1000 + i), scenario.ContentType));
    var ingestPeak = memory.Peak - ingestIdle;

    var bytes = scenario.Media(0).Length;
    results.Add(new Result(scenario.Name, scenario.Count, scenario.Concurrency, bytes, accepted, bare, multipart, ingestPeak, barePeak, memory.Peak));
}

var rebuild = await MeasureRebuildAsync(Count(20_000, 2_000));

Console.WriteLine();
Console.WriteLine("| scenario | uploads | concurrency | Ingest accepted/s | bare S3 put/s | Ingest / bare | bare multipart put/s | Ingest / multipart | Ingest MB/s | bare MB/s | Ingest peak RSS growth | bare put peak RSS growth | Ingest peak RSS |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (var r in results)
{
    var multipart = r.Multipart is { } m ? $"{m:F2} | {r.Ingest / m:F2}" : "– | –";
    Console.WriteLine($"| {r.Name} | {r.Count} | {r.Concurrency} | {r.Ingest:F2} | {r.Bare:F2} | {r.Ingest / r.Bare:F2} | {multipart} | {r.Ingest * r.Bytes / 1e6:F1} " +
                      $"| {r.Bare * r.Bytes / 1e6:F1} | {r.IngestPeak / Mib} MiB | {r.BarePeak / Mib} MiB | {r.IngestPeakAbsolute / Mib} MiB |");
}

Console.WriteLine();
Console.WriteLine($"Status projection rebuild: {rebuild.Records} records ({rebuild.Requests} requests) read in {rebuild.Milliseconds} ms " +
                  $"({rebuild.Records * 1000.0 / Math.Max(1, rebuild.Milliseconds):F0} records/s); a fresh Ingest was ready after {rebuild.ReadyMs} ms with {rebuild.Resident / Mib} MiB resident");
return;

// Runs count operations, concurrency at a time; returns operations per second.
static async Task<double> RunAsync(int count, int concurrency, Func<int, Task> operation)
{
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            await operation(i);
        }
    }));
    return count / clock.Elapsed.TotalSeconds;
}

async Task PutAsync(TestMedia media)
{
    await using var body = new GeneratedStream(media);
    await s3.PutObjectAsync(new PutObjectRequest
    {
        BucketName = stack.S3Options.InputsBucket,
        Key = $"bare/{Guid.NewGuid()}/input.bin",
        InputStream = body,
        ContentType = "application/octet-stream",
        UseChunkEncoding = !stack.S3Options.DisableChunkedUploads,
    });
}

async Task PutMultipartAsync(TestMedia media)
{
    var key = $"bare/{Guid.NewGuid()}/input.bin";
    var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = stack.S3Options.InputsBucket, Key = key });
    var parts = new List<PartETag>();
    for (long offset = 0, number = 1; offset < media.Length; offset += PartSize, number++)
    {
        var length = Math.Min(PartSize, media.Length - offset);
        await using var body = new GeneratedStream(media, offset, length);
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = stack.S3Options.InputsBucket,
            Key = key,
            UploadId = upload.UploadId,
            PartNumber = (int)number,
            InputStream = body,
            PartSize = length,
            UseChunkEncoding = !stack.S3Options.DisableChunkedUploads,
        });
        parts.Add(new PartETag((int)number, part.ETag));
    }

    await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
    {
        BucketName = stack.S3Options.InputsBucket,
        Key = key,
        UploadId = upload.UploadId,
        PartETags = parts,
    });
}

async Task UploadAsync(TestMedia media, string contentType)
{
    using var form = new MultipartFormDataContent
    {
        { new StringContent("a medieval knight in a castle, holding a sword"), "scene_description" },
        { media.ToContent(contentType), "media", "upload.bin" },
    };
    using var response = await http.PostAsync("/generate/cinematic", form);
    if (response.StatusCode != System.Net.HttpStatusCode.Accepted)
    {
        throw new InvalidOperationException($"Ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}

// Fills the topics with requests and their archived outcomes, then times a fresh Ingest's rebuild of its projection.
async Task<(long Records, long Milliseconds, int Requests, long ReadyMs, long Resident)> MeasureRebuildAsync(int requests)
{
    using var serdes = new EventSerdes(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url });
    using (var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
           {
               BootstrapServers = stack.Kafka.BootstrapServers,
               EnableIdempotence = true,
               Partitioner = Partitioner.Murmur2Random,
               LingerMs = 20,
           }).Build())
    {
        var requestSerializer = serdes.Serializer<TransformationRequested>();
        var archivedSerializer = serdes.Serializer<TransformationArchived>();
        for (var i = 0; i < requests; i++)
        {
            var tenant = $"tenant-{i % 200:D3}";
            var id = Guid.CreateVersion7();
            var requested = new TransformationRequested(id, tenant, Guid.NewGuid().ToString("N"), "bench", DateTimeOffset.UtcNow,
                TransformationTask.ImageTransform, new MediaReference($"s3://cinematic-inputs/{tenant}/{id}/input.jpg", "image/jpeg", MediaKind.Image,
                    1024 * 1024, new string('a', 64)),
                "a medieval knight in a castle, holding a sword", "medieval", null, 1, "16:9", null, null, null);
            var archived = new TransformationArchived(id, tenant, requested.CorrelationId, "bench", DateTimeOffset.UtcNow, Provider.Replicate,
                "black-forest-labs/flux-dev",
                [new ArchivedMedia(0, $"s3://cinematic-archive/{tenant}/{id}/output-0.png", null, null, "image/png", MediaKind.Image, 2_000_000,
                    new string('b', 64), $"https://replicate.delivery/pbxt/{id:N}/output-0.png")], []);
            producer.Produce(Topics.Requested, new Message<string, byte[]>
            {
                Key = tenant,
                Value = await requestSerializer.SerializeAsync(requested, new SerializationContext(MessageComponentType.Value, Topics.Requested)),
            });
            producer.Produce(Topics.Archived, new Message<string, byte[]>
            {
                Key = tenant,
                Value = await archivedSerializer.SerializeAsync(archived, new SerializationContext(MessageComponentType.Value, Topics.Archived)),
            });
        }

        producer.Flush(TimeSpan.FromMinutes(2));
    }

    var clock = Stopwatch.StartNew();
    await using var fresh = await IngestProcess.StartAsync(stack, configuration, "bench", apiKeyHash);
    var ready = clock.ElapsedMilliseconds;
    var (records, milliseconds) = fresh.Rebuild ?? (0, 0);
    return (records, milliseconds, requests, ready, fresh.Memory.Resident);
}

internal sealed record Result(
    string Name, int Count, int Concurrency, long Bytes, double Ingest, double Bare, double? Multipart, long IngestPeak, long BarePeak, long IngestPeakAbsolute);
