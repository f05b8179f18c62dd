using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// Ingest, the processor and the archiver as processes, each writing its spans to a trace file: one upload is one trace
/// from Ingest's HTTP server span through Kafka (trace context in record headers) to the provider call, the archive and
/// the credits record; a request an upstream producer publishes with its own traceparent continues that trace.
/// </summary>
[Trait("Category", "Stack")]
public sealed class TracingTests(TracingTests.Pipeline pipeline, ITestOutputHelper output) : IClassFixture<TracingTests.Pipeline>
{
    private const string Tenant = "tracing";

    [Fact]
    public async Task One_upload_is_one_trace_through_Kafka_to_the_provider_the_archive_and_the_credits()
    {
        var bed = pipeline.Bed;
        var (requestId, upstream) = (pipeline.RequestId, pipeline.Upstream);
        var credits = bed.Topic(Topics.CreditsRecorded);
        // A span is written when it ends, and a consumer's "process" span ends after the sends under it: wait for those too.
        var spans = await WaitForAsync(pipeline.Traces.FullName, all =>
            all.Count(s => s.Service == "archiver" && s.Name == $"send {credits}") >= 2
            && all.Count(s => s.Service == "archiver" && s.Kind == "Consumer" && s.Name == $"process {bed.Topic(Topics.Completed)}") >= 2
            && all.Count(s => s.Service == "processor" && s.Kind == "Consumer" && s.Name == $"process {bed.Topic(Topics.Requested)}") >= 2
            && all.Any(s => s.Service == "ingest" && s.Kind == "Server" && s.Name == "POST /generate/cinematic"));

        var server = Assert.Single(spans, s => s.Service == "ingest" && s.Kind == "Server" && s.Name == "POST /generate/cinematic");
        Assert.Equal("202", server.Attribute("http.response.status_code"));
        var trace = spans.Where(s => s.TraceId == server.TraceId).ToList();
        output.WriteLine($"Trace {server.TraceId} of request {requestId}:");
        output.WriteLine(TraceFiles.Render(trace));

        // Ingest: the upload's publish under its HTTP server span.
        var requested = One(trace, "ingest", "Producer", $"send {bed.Topic(Topics.Requested)}");
        Assert.True(IsBelow(trace, requested, server));
        Assert.Equal("kafka", requested.Attribute("messaging.system"));
        Assert.Equal(Tenant, requested.Attribute("messaging.kafka.message.key"));

        // The processor continues the context the record carries, and links it.
        var processed = One(trace, "processor", "Consumer", $"process {bed.Topic(Topics.Requested)}");
        Assert.Equal(requested.SpanId, processed.ParentId);
        Assert.Contains($"{requested.TraceId}:{requested.SpanId}", processed.Links);
        Assert.Equal(bed.Prefix + "processor", processed.Attribute("messaging.consumer.group.name"));
        Assert.NotNull(processed.Attribute("messaging.kafka.offset"));
        var replicate = bed.Simulators.Replicate.Origin;
        var providerCalls = trace.Where(s => s.Service == "processor" && s.Kind == "Client" && IsTo(s, replicate)).ToList();
        Assert.NotEmpty(providerCalls);
        Assert.All(providerCalls, call => Assert.True(IsBelow(trace, call, processed)));
        var completed = One(trace, "processor", "Producer", $"send {bed.Topic(Topics.Completed)}");
        Assert.Equal(processed.SpanId, completed.ParentId);
        Assert.Contains(trace, s => s.Name == $"send {bed.Topic(Topics.Started)}" && s.ParentId == processed.SpanId);

        // The archiver: its process span under the completed record's, the download and the S3 PUT under "archive output".
        var archiving = One(trace, "archiver", "Consumer", $"process {bed.Topic(Topics.Completed)}");
        Assert.Equal(completed.SpanId, archiving.ParentId);
        var output1 = One(trace, "archiver", "Internal", "archive output");
        Assert.Equal(archiving.SpanId, output1.ParentId);
        Assert.Contains(trace, s => s.Service == "archiver" && s.Kind == "Client" && s.Attribute("http.request.method") == "GET"
                                    && IsTo(s, replicate) && s.ParentId == output1.SpanId);
        var s3 = new Uri(bed.Stack.S3.Options.ServiceUrl!);
        Assert.Contains(trace, s => s.Service == "archiver" && s.Kind == "Client" && s.Attribute("http.request.method") == "PUT"
                                    && IsTo(s, s3) && IsBelow(trace, s, output1));
        Assert.Equal(archiving.SpanId, One(trace, "archiver", "Producer", $"send {credits}").ParentId);
        Assert.Equal(archiving.SpanId, One(trace, "archiver", "Producer", $"send {bed.Topic(Topics.Archived)}").ParentId);

        // The upstream producer's trace goes on through the processor and the archiver.
        var upstreamTrace = spans.Where(s => s.TraceId == upstream.TraceId.ToHexString()).ToList();
        output.WriteLine($"Trace {upstream.TraceId} of the upstream producer's request:");
        output.WriteLine(TraceFiles.Render(upstreamTrace));
        var continued = One(upstreamTrace, "processor", "Consumer", $"process {bed.Topic(Topics.Requested)}");
        Assert.Equal(upstream.SpanId.ToHexString(), continued.ParentId);
        Assert.Contains(upstreamTrace, s => s.Service == "archiver" && s.Name == $"send {credits}");
        Assert.DoesNotContain(upstreamTrace, s => s.Service == "ingest");
    }

    [Fact]
    public async Task The_stream_runtime_and_the_processor_instruments_are_scraped_from_metrics()
    {
        using var http = new HttpClient();
        var group = pipeline.Bed.Prefix + "processor";
        var metrics = new Uri(pipeline.ProcessorUrl, "/metrics");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        var scrape = await PrometheusScrape.ReadAsync(http, metrics);
        while (scrape.Sum("cinematic_stream_records_completed_total", ("group", group)) < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            scrape = await PrometheusScrape.ReadAsync(http, metrics);
        }

        Assert.Equal("counter", scrape.Types["cinematic_stream_records_consumed_total"]);
        Assert.Equal(2, scrape.Sum("cinematic_stream_records_consumed_total", ("group", group)));
        Assert.Equal(2, scrape.Sum("cinematic_stream_records_completed_total", ("group", group)));
        Assert.Equal("histogram", scrape.Types["cinematic_stream_record_duration_milliseconds"]);
        Assert.Equal(2, scrape.Sum("cinematic_stream_record_duration_milliseconds_count", ("group", group)));
        Assert.Equal("gauge", scrape.Types["cinematic_stream_in_flight"]);
        Assert.Equal(2, scrape.Sum("cinematic_processor_outcomes_total"));
    }

    /// <summary>
    /// The three services as processes writing trace files, one upload through Ingest's API, and one request an upstream
    /// producer publishes with its own traceparent.
    /// </summary>
    public sealed class Pipeline : IAsyncLifetime
    {
        public PipelineTestbed Bed { get; private set; } = null!;

        public DirectoryInfo Traces { get; } = Directory.CreateTempSubdirectory("cinematic-traces-");

        public Uri ProcessorUrl { get; } = new($"http://127.0.0.1:{LoopbackPorts.Free()}");

        public Guid RequestId { get; private set; }

        public ActivityContext Upstream { get; } = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        public async Task InitializeAsync()
        {
            Bed = await PipelineTestbed.StartAsync("tracing", partitions: 2, latencyMs: 0);
            var settings = new Dictionary<string, string> { ["Telemetry:TraceDirectory"] = Traces.FullName };
            Bed.StartProcessor("processor", new Dictionary<string, string>(settings) { ["Urls"] = ProcessorUrl.GetLeftPart(UriPartial.Authority) });
            Bed.StartArchiver("archiver", settings);
            var ingest = await Bed.StartIngestAsync("ingest", Tenant, settings);
            RequestId = await UploadAsync(ingest);
            var request = PipelineTestbed.Request(Tenant, await Bed.UploadImageAsync(Tenant), "a lighthouse keeper in a storm, painted");
            await Bed.PublishAsync(request, new Headers { { "traceparent", Encoding.ASCII.GetBytes($"00-{Upstream.TraceId}-{Upstream.SpanId}-01") } });
        }

        public async Task DisposeAsync()
        {
            await Bed.DisposeAsync();
            Traces.Delete(recursive: true);
        }
    }

    private static async Task<Guid> UploadAsync(IngestProcess ingest)
    {
        using var http = new HttpClient { BaseAddress = ingest.Url };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ingest.ApiKey);
        using var form = new MultipartFormDataContent();
        var media = new ByteArrayContent(MediaStore.Png(64, 48));
        media.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(media, "media", "photo.png");
        form.Add(new StringContent("a medieval knight in a castle courtyard"), "scene_description");
        using var response = await http.PostAsync("/generate/cinematic", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("request_id").GetGuid();
    }

    /// <summary>Reads the trace files until <paramref name="done"/> holds (spans are written a second after they end).</summary>
    private static async Task<IReadOnlyList<SpanLine>> WaitForAsync(string directory, Func<IReadOnlyList<SpanLine>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var spans = TraceFiles.Read(directory);
            if (done(spans) || DateTime.UtcNow > deadline)
            {
                return spans;
            }

            await Task.Delay(500);
        }
    }

    private static SpanLine One(IReadOnlyList<SpanLine> trace, string service, string kind, string name) =>
        Assert.Single(trace, s => s.Service == service && s.Kind == kind && s.Name == name);

    /// <summary>Whether <paramref name="span"/> descends from <paramref name="ancestor"/> within the trace.</summary>
    private static bool IsBelow(IReadOnlyList<SpanLine> trace, SpanLine span, SpanLine ancestor)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        for (var parent = span.ParentId; parent is not null; parent = byId.GetValueOrDefault(parent)?.ParentId)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTo(SpanLine span, Uri server) =>
        span.Attribute("server.address") == server.Host && span.Attribute("server.port") == server.Port.ToString();
}
