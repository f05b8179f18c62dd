using System.Security.Cryptography;
using System.Text;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Dashboard.Tests.Support;

/// <summary>
/// The whole pipeline for the page to drive: a <see cref="PipelineTestbed"/> (topics under a fresh prefix on the shared
/// Kafka, registry and S3, provider simulators) with Ingest, the processor and the archiver running as processes, and
/// one tenant whose API key (made up for the run; Ingest is given only its SHA-256) the page is given.
/// </summary>
public sealed record DashboardStack(PipelineTestbed Pipeline, Uri IngestUrl, string ApiKey) : IAsyncDisposable
{
    public const string TenantId = "dashboard";

    public static async Task<DashboardStack> StartAsync()
    {
        // Provider jobs take 1.5 s, so that the page has a "generating" to show.
        var pipeline = await PipelineTestbed.StartAsync("dashboard", partitions: 2, latencyMs: 1500);
        try
        {
            var apiKey = "dash_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var port = LoopbackPorts.Free();
            var ingest = pipeline.StartService("Ingest", "ingest", new Dictionary<string, string>
            {
                ["Urls"] = $"http://127.0.0.1:{port}",
                ["Ingest:Tenants:0:TenantId"] = TenantId,
                ["Ingest:Tenants:0:ApiKeySha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))),
            });
            pipeline.StartProcessor("processor");
            pipeline.StartArchiver("archiver");
            var url = new Uri($"http://127.0.0.1:{port}");
            await WaitUntilReadyAsync(pipeline, ingest, url);
            return new DashboardStack(pipeline, url, apiKey);
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines the services wrote, for the message of a failing assertion.</summary>
    public string Tail() => Tail(Pipeline);

    public ValueTask DisposeAsync() => Pipeline.DisposeAsync();

    private static string Tail(PipelineTestbed pipeline) => string.Join(Environment.NewLine, pipeline.Logs.TakeLast(60));

    /// <summary>Until Ingest's /readyz answers: its status projection has read the topics, so the page sees every request.</summary>
    private static async Task WaitUntilReadyAsync(PipelineTestbed pipeline, ServiceProcess ingest, Uri url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(ingest.HasExited, $"Ingest exited during startup:\n{Tail(pipeline)}");
            try
            {
                using var response = await http.GetAsync(new Uri(url, "/readyz"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Ingest was not ready at {url} within 90 s:\n{Tail(pipeline)}");
    }
}
