using System.Net;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// The spec's "Observability &amp; Logging": method, endpoint, media size and type, description length, timings and
/// outcome codes are logged; content and keys never are. Also who the events say asked (requester, correlation).
/// </summary>
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

        var line = Assert.Single(RequestLines(), l => Equals(l.Values["RequestId"], id));
        Assert.Equal("POST", line.Values["Method"]);
        Assert.Equal("/generate/cinematic", line.Values["Endpoint"]);
        Assert.Equal("acme", line.Values["TenantId"]);
        Assert.Equal(202, line.Values["Status"]);
        Assert.Equal("image/png", line.Values["MediaType"]);
        Assert.Equal(7777L, line.Values["MediaBytes"]);
        Assert.Equal(description.Trim().Length, line.Values["DescriptionLength"]);
        Assert.Equal(2, line.Values["OutputCount"]);
        Assert.IsType<long>(line.Values["UploadMs"]);
        Assert.IsType<long>(line.Values["PublishMs"]);
        Assert.IsType<long>(line.Values["TotalMs"]);
        AssertNothingSecretLogged();
    }

    [Fact]
    public async Task A_refused_request_is_logged_with_its_code_and_without_content()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);

        using var response = await client.PostAsync("/generate/cinematic", Forms.Multipart(TestMedia.Png(100).ToContent(), "p.png",
            ("scene_description", Secret), ("aspect_ratio", "7:3")));
        await response.ExpectAsync(HttpStatusCode.BadRequest);

        Assert.Contains(RequestLines(), l => Equals(l.Values["Status"], 400) && Equals(l.Values["ErrorCode"], "INVALID_INPUT")
                                             && Equals(l.Values["DescriptionLength"], Secret.Length));
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
    public async Task Metrics_count_requests_by_endpoint_and_status()
    {
        using var client = fixture.Host.Client(TestTenants.Acme);
        using (var accepted = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await accepted.ExpectAsync(HttpStatusCode.Accepted);
        }

        using var metrics = await client.GetAsync("/metrics");
        var series = (await metrics.ExpectAsync(HttpStatusCode.OK)).EnumerateArray().ToList();

        Assert.Contains(series, m => m.GetProperty("name").GetString() == "ingest.requests"
                                     && m.GetProperty("tags").GetString()!.Contains("status=202", StringComparison.Ordinal)
                                     && m.GetProperty("value").GetDouble() >= 1);
    }

    [Fact]
    public async Task Metrics_are_logged_every_interval_counters_with_their_value_histograms_with_count_and_percentiles()
    {
        await using var host = await fixture.StartHostAsync(new Dictionary<string, string?> { ["Metrics:LogIntervalSeconds"] = "1" });
        using var client = host.Client(TestTenants.Acme);
        using (var accepted = await client.PostAsync("/generate/cinematic", Forms.ValidImage()))
        {
            await accepted.ExpectAsync(HttpStatusCode.Accepted);
        }

        CapturedLog? counter = null, histogram = null;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((counter is null || histogram is null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            var lines = host.Logs.Lines.Where(l => l.Category.EndsWith("MetricsLogger", StringComparison.Ordinal)).ToList();
            // This request's series: other tests' hosts in this process may have added others (a 400's) meanwhile.
            counter = lines.FirstOrDefault(l => Equals(l.Values["Metric"], "ingest.requests")
                                                && ((string)l.Values["Tags"]!).Contains("status=202", StringComparison.Ordinal));
            histogram = lines.FirstOrDefault(l => Equals(l.Values["Metric"], "ingest.request.duration"));
        }

        Assert.NotNull(counter);
        Assert.Equal("counter", counter.Values["Kind"]);
        Assert.Contains("status=202", (string)counter.Values["Tags"]!, StringComparison.Ordinal);
        // At least: the meters are the process's, and other tests' hosts may be posting meanwhile.
        Assert.True((double)counter.Values["Value"]! >= 1, counter.Message);
        Assert.False(counter.Values.ContainsKey("Count"), counter.Message);
        Assert.NotNull(histogram);
        Assert.True((long)histogram.Values["Count"]! >= 1, histogram.Message);
        Assert.IsType<double>(histogram.Values["P99"]);
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

    private List<CapturedLog> RequestLines() =>
        fixture.Host.Logs.Lines.Where(l => l.Category.EndsWith("IntakeEndpoint", StringComparison.Ordinal)).ToList();

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
