using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// The spec's "Observability &amp; Logging": method, endpoint, media size and type, description length, timings and
/// outcome codes are logged; content and keys never are. Also who the events say asked (requester, correlation).
/// </summary>
[Trait("Category", "Stack")]
public sealed class ObservabilityTests(IngestFixture fixture) : IClassFixture<IngestFixture>
{
    private const string Secret = "SECRET-CONTENT-7f3a";

    [Fact]
    public async Task An_accepted_request_is_logged_with_sizes_lengths_and_timings()
    {
        var description = $"  a 1920s flapper in a speakeasy, {Secret}  ";
        using var client = fixture.Host.Client(TestTenants.Acme);

        using var response = await client.PostAsync("/generate/cinematic", Forms.Multipart(TestMedia.Png(7777).ToContent(), "p.png",
            ("scene_description", description), ("output_count", "2")));
        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();

        var line = Assert.Single(RequestLines(), l => Equals(l.Values.GetValueOrDefault("RequestId"), id));
        Assert.Equal("POST", line.Values["RequestMethod"]);
        Assert.Equal("/generate/cinematic", line.Values["RequestPath"]);
        Assert.Equal("acme", line.Values["TenantId"]);
        Assert.Equal(202, line.Values["StatusCode"]);
        Assert.Equal("image/png", line.Values["MediaType"]);
        Assert.Equal(7777L, line.Values["MediaBytes"]);
        Assert.Equal(description.Trim().Length, line.Values["DescriptionLength"]);
        Assert.Equal(2, line.Values["OutputCount"]);
        Assert.IsType<long>(line.Values["UploadMs"]);
        Assert.IsType<long>(line.Values["PublishMs"]);
        Assert.IsType<long>(line.Values["IntakeMs"]);
        Assert.IsType<double>(line.Values["Elapsed"]);
        // The line belongs to the request's trace.
        Assert.Matches("^[0-9a-f]{32}$", line.TraceId);
        AssertNothingSecretLogged();
    }

    [Fact]
    public async Task A_refused_request_is_logged_with_its_code_and_without_content()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);

        using var response = await client.PostAsync("/generate/cinematic", Forms.Multipart(TestMedia.Png(100).ToContent(), "p.png",
            ("scene_description", Secret), ("aspect_ratio", "7:3")));
        await response.ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains(RequestLines(), l => Equals(l.Values["StatusCode"], 400) && Equals(l.Values.GetValueOrDefault("ErrorCode"), "INVALID_INPUT")
                                             && Equals(l.Values.GetValueOrDefault("DescriptionLength"), Secret.Length));
        AssertNothingSecretLogged();
    }

    [Fact]
    public async Task Refused_keys_are_not_logged()
    {
        using var client = fixture.Host.Client();
        client.DefaultRequestHeaders.Add("X-Api-Key", Secret);

        using var response = await client.PostAsync("/generate/cinematic", Forms.ValidImage());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertNothingSecretLogged();
    }

    [Fact]
    public async Task A_request_is_logged_once_with_its_path_but_without_query_string_or_authorization()
    {
        using var client = fixture.Host.Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", Secret);
        var path = $"/requests/{Guid.NewGuid()}";

        using var response = await client.GetAsync($"{path}?signature={Secret}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var line = Assert.Single(RequestLines(), l => Equals(l.Values["RequestPath"], path));
        Assert.Equal(401, line.Values["StatusCode"]);
        Assert.Equal("GET", line.Values["RequestMethod"]);
        AssertNothingSecretLogged();
    }

    [Fact]
    public async Task Metrics_are_scraped_in_the_Prometheus_text_format_with_requests_by_endpoint_and_status()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using (var accepted = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await accepted.ExpectAsync(HttpStatusCode.Accepted);
        }

        var scrape = await PrometheusScrape.ReadAsync(client, new Uri(client.BaseAddress!, "/metrics"));

        // The project's instruments: the counter of this request, the duration histogram with its buckets.
        Assert.Equal("counter", scrape.Types["ingest_requests_total"]);
        Assert.True(scrape.Sum("ingest_requests_total", ("endpoint", "/generate/cinematic"), ("status", "202")) >= 1);
        Assert.Equal("histogram", scrape.Types["ingest_request_duration_milliseconds"]);
        Assert.Contains(scrape.Series("ingest_request_duration_milliseconds_bucket", ("le", "+Inf")), s => s.Value >= 1);
        Assert.True(scrape.Sum("ingest_media_bytes_total", ("media_type", "image/png")) > 0, string.Join(", ", scrape.Types.Keys));
        // ASP.NET Core's, HttpClient's (S3, the registry) and the runtime's, through the same exporter.
        Assert.Contains(scrape.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Labels.GetValueOrDefault("http_route") == "/generate/cinematic");
        Assert.Contains(scrape.Samples, s => s.Name == "http_client_request_duration_seconds_count");
        Assert.Contains(scrape.Types.Keys, name => name.StartsWith("dotnet_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_traces_metrics_and_logs_go_to_the_collector_under_OTEL_SERVICE_NAME()
    {
        const string ServiceName = "ingest-otlp-under-test";
        var received = new ConcurrentQueue<(string Path, string Body)>();
        await using var collector = await LoopbackServer.StartAsync(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            // Protobuf keeps strings as UTF-8 bytes: names and values can be searched for in the payload.
            received.Enqueue((http.Request.Path, Encoding.UTF8.GetString(body.ToArray())));
        });
        await using var host = await fixture.StartHostAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.OriginText,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = ServiceName,
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var client = host.Client(TestTenants.Acme);
        using (var accepted = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await accepted.ExpectAsync(HttpStatusCode.Accepted);
        }

        bool Got(string path, params string[] texts) =>
            received.Any(r => r.Path == path && r.Body.Contains(ServiceName, StringComparison.Ordinal) && texts.All(t => r.Body.Contains(t, StringComparison.Ordinal)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(Got("/v1/traces", "POST /generate/cinematic", $"send {fixture.Topic(Topics.Requested)}")
                 && Got("/v1/metrics", "ingest.requests") && Got("/v1/logs", "responded")) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(Got("/v1/traces", "POST /generate/cinematic", $"send {fixture.Topic(Topics.Requested)}"), string.Join(", ", received.Select(r => r.Path)));
        Assert.True(Got("/v1/metrics", "ingest.requests"));
        Assert.True(Got("/v1/logs", "responded"));
    }

    [Theory]
    [InlineData("acme", "skill:generate_intro_video_loop", "http:ingest")]
    [InlineData("campaigns", "skill:generate_intro_video_loop", "skill:generate_intro_video_loop")]
    [InlineData("campaigns", "not a requester", "http:ingest")]
    [InlineData("campaigns", null, "http:ingest")]
    public async Task Requester_is_taken_from_X_Requester_only_for_trusted_tenants(string tenant, string? header, string expected)
    {
        using var client = fixture.Host.Client(TestTenants.All.Single(t => t.TenantId == tenant));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/generate/cinematic") { Content = Forms.ValidImage() };
        if (header is not null)
        {
            request.Headers.Add("X-Requester", header);
        }

        using var response = await client.SendAsync(request);
        var id = (await response.ExpectAsync(HttpStatusCode.Accepted)).RequestId();

        var e = Assert.Single((await fixture.RequestedAsync(1)).Select(r => r.Message.Value), r => r.RequestId == id);
        Assert.Equal(expected, e.Requester);
        // Without X-Correlation-Id, a fresh one is made and echoed.
        Assert.Equal(e.CorrelationId, response.Headers.GetValues("X-Correlation-Id").Single());
    }

    /// <summary>Serilog's request log: one line per HTTP request, written as it completes.</summary>
    private List<CapturedLog> RequestLines() =>
        fixture.Host.Logs.Lines.Where(l => l.Category.EndsWith("RequestLoggingMiddleware", StringComparison.Ordinal)).ToList();

    private void AssertNothingSecretLogged()
    {
        foreach (var line in fixture.Host.Logs.Lines)
        {
            Assert.DoesNotContain(Secret, line.All, StringComparison.Ordinal);
            foreach (var tenant in TestTenants.All)
            {
                Assert.DoesNotContain(tenant.ApiKey, line.All, StringComparison.Ordinal);
            }
        }
    }
}
