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
            pipeline.StartProcessor("processor");
            pipeline.StartArchiver("archiver");
            var ingest = await pipeline.StartIngestAsync("ingest", TenantId);
            return new DashboardStack(pipeline, ingest.Url, ingest.ApiKey);
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines the services wrote, for the message of a failing assertion.</summary>
    public string Tail() => string.Join(Environment.NewLine, Pipeline.Logs.TakeLast(60));

    public ValueTask DisposeAsync() => Pipeline.DisposeAsync();
}
