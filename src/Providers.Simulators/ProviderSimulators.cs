using CinematicSwitch.Providers.Simulators.Core;

namespace CinematicSwitch.Providers.Simulators;

/// <summary>Where and how the simulators run.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Loopback address to bind.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>0 picks a free port.</summary>
    public int ReplicatePort { get; set; }

    public int RunwayPort { get; set; }

    public int LeonardoPort { get; set; }

    public string ReplicateApiToken { get; set; } = "r8_simulator_token";

    public string RunwayApiKey { get; set; } = "key_simulator_runway";

    public string LeonardoApiKey { get; set; } = "simulator-leonardo-key";

    /// <summary>Time from a job's creation to its completion.</summary>
    public int LatencyMs { get; set; } = 300;

    /// <summary>
    /// Accept http:// and IP-literal media URLs on loopback (the embedded stack's S3 on 127.0.0.1), which the real Runway
    /// refuses. Off by default: the simulators are as strict as the APIs.
    /// </summary>
    public bool AcceptLoopbackOrigins { get; set; }

    /// <summary>
    /// Deliver webhooks to http:// and loopback targets (the embedded stack's Ingest on 127.0.0.1), which the real APIs refuse
    /// (Replicate and Leonardo call HTTPS URLs only). Off by default.
    /// </summary>
    public bool AcceptLoopbackWebhooks { get; set; }

    /// <summary>Where generated media is cached across runs; a temp folder by default.</summary>
    public string MediaCacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "cinematic-switch-simulator-media");
}

/// <summary>
/// The three provider simulators, each on its own loopback port, sharing one media cache. Hosted in-process by tests and
/// the embedded dev stack (<see cref="StartAsync"/>), or run as a program.
/// </summary>
public sealed class ProviderSimulators : IAsyncDisposable
{
    private ProviderSimulators(ReplicateSimulator replicate, RunwaySimulator runway, LeonardoSimulator leonardo)
    {
        Replicate = replicate;
        Runway = runway;
        Leonardo = leonardo;
    }

    public ReplicateSimulator Replicate { get; }

    public RunwaySimulator Runway { get; }

    public LeonardoSimulator Leonardo { get; }

    public IEnumerable<ProviderSimulator> All => [Replicate, Runway, Leonardo];

    public static async Task<ProviderSimulators> StartAsync(SimulatorOptions options, CancellationToken cancellationToken)
    {
        var media = new MediaStore(options.MediaCacheDirectory);
        var latency = TimeSpan.FromMilliseconds(options.LatencyMs);
        var simulators = new ProviderSimulators(
            new ReplicateSimulator(options.ReplicateApiToken, latency, media, options.AcceptLoopbackOrigins),
            new RunwaySimulator(options.RunwayApiKey, latency, media, options.AcceptLoopbackOrigins),
            new LeonardoSimulator(options.LeonardoApiKey, latency, media, options.AcceptLoopbackOrigins));
        foreach (var simulator in simulators.All)
        {
            simulator.Webhooks.AcceptLoopback = options.AcceptLoopbackWebhooks;
        }

        try
        {
            await simulators.Replicate.StartAsync(options.Host, options.ReplicatePort, cancellationToken);
            await simulators.Runway.StartAsync(options.Host, options.RunwayPort, cancellationToken);
            await simulators.Leonardo.StartAsync(options.Host, options.LeonardoPort, cancellationToken);
            return simulators;
        }
        catch
        {
            await simulators.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The "Providers" configuration that points the adapters at these simulators (base URLs and keys), ready to be
    /// added to an in-memory configuration source.
    /// </summary>
    public IReadOnlyDictionary<string, string?> ProviderConfiguration() => new Dictionary<string, string?>
    {
        ["Providers:Replicate:BaseUrl"] = Replicate.BaseUrl.ToString(),
        ["Providers:Replicate:ApiKey"] = Replicate.ApiKey,
        ["Providers:Runway:BaseUrl"] = Runway.BaseUrl.ToString(),
        ["Providers:Runway:ApiKey"] = Runway.ApiKey,
        ["Providers:Leonardo:BaseUrl"] = Leonardo.BaseUrl.ToString(),
        ["Providers:Leonardo:ApiKey"] = Leonardo.ApiKey,
        // The simulators' outputs are on loopback: a chained video's next step reads the last clip's frame from them,
        // which the processor's SSRF guard allows for these exact origins only (real providers' outputs are public).
        ["Providers:MediaFetch:LoopbackOrigins:0"] = Replicate.Origin.ToString().TrimEnd('/'),
        ["Providers:MediaFetch:LoopbackOrigins:1"] = Runway.Origin.ToString().TrimEnd('/'),
        ["Providers:MediaFetch:LoopbackOrigins:2"] = Leonardo.Origin.ToString().TrimEnd('/'),
    };

    /// <summary>Forgets every simulator's jobs, requests and faults.</summary>
    public void Reset()
    {
        foreach (var simulator in All)
        {
            simulator.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in All)
        {
            await simulator.DisposeAsync();
        }
    }
}
