using System.Net.Http.Headers;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>
/// The Ingest service as it runs in production (<c>AddIngest</c>, <c>MapIngest</c>), in this process, on Kestrel at
/// 127.0.0.1 with a free port, configured only through configuration keys, against the given cluster, registry and S3.
/// </summary>
internal sealed class IngestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private IngestHost(WebApplication app, Uri baseAddress, LogCapture logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
    }

    public Uri BaseAddress { get; }

    public LogCapture Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The settings a test host runs with; <paramref name="overrides"/> win.</summary>
    public static Dictionary<string, string?> Settings(string bootstrapServers, string prefix, string registryUrl, TestS3 s3,
        IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:TopicPrefix"] = prefix,
            ["Kafka:ClientId"] = "ingest-tests",
            ["Kafka:SessionTimeoutMs"] = "6000",
            ["Kafka:FetchWaitMaxMs"] = "10",
            ["SchemaRegistry:Url"] = registryUrl,
            ["S3:ServiceUrl"] = s3.Options.ServiceUrl,
            ["S3:Region"] = s3.Options.Region,
            ["S3:AccessKey"] = s3.Options.AccessKey,
            ["S3:SecretKey"] = s3.Options.SecretKey,
            ["S3:ForcePathStyle"] = s3.Options.ForcePathStyle.ToString(),
            ["S3:DisableChunkedUploads"] = s3.Options.DisableChunkedUploads.ToString(),
            ["S3:InputsBucket"] = s3.Options.InputsBucket,
            ["S3:ArchiveBucket"] = s3.Options.ArchiveBucket,
            // A Serilog section without sinks: nothing on the console, every event to the test's capture.
            ["Serilog:MinimumLevel:Default"] = "Information",
            ["Ingest:DevRun:WaitSeconds"] = "3",
            ["Ingest:PublishTimeoutMs"] = "10000",
        };
        for (var i = 0; i < TestTenants.All.Length; i++)
        {
            settings[$"Ingest:Tenants:{i}:TenantId"] = TestTenants.All[i].TenantId;
            settings[$"Ingest:Tenants:{i}:ApiKeySha256"] = TestTenants.All[i].ApiKeySha256;
            settings[$"Ingest:Tenants:{i}:TrustRequesterHeader"] = TestTenants.All[i].TrustRequesterHeader.ToString();
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<IngestHost> StartAsync(IReadOnlyDictionary<string, string?> settings, bool waitUntilReady = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.ListenOnLoopback();
        builder.AddIngest();
        var logs = new LogCapture();
        builder.Logging.AddProvider(logs);
        var app = builder.Build();
        app.MapIngest();
        var host = new IngestHost(app, await app.StartOnLoopbackAsync(), logs);
        if (waitUntilReady)
        {
            await host.WaitUntilReadyAsync();
        }

        return host;
    }

    /// <summary>A client authenticated as <paramref name="tenant"/> (Authorization: Bearer), or anonymous.</summary>
    public HttpClient Client(TestTenant? tenant = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        if (tenant is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        }

        return client;
    }

    /// <summary>Until the status projection has read the topics (so idempotent retries and status reads see everything).</summary>
    public async Task WaitUntilReadyAsync()
    {
        var projection = Services.GetRequiredService<StatusProjection>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!projection.CaughtUp)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The status projection did not catch up within 60 s.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
