using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Testing;

/// <summary>A service process and where its HTTP endpoints are (/readyz, /metrics).</summary>
public sealed record RunningService(ServiceProcess Process, Uri BaseUrl)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public string Name => Process.Name;

    /// <summary>Settings that make a service listen where the returned base URL says, on a port free now.</summary>
    public static (Dictionary<string, string> Settings, Uri BaseUrl) OnFreePort()
    {
        var port = LoopbackPorts.Free();
        return (new Dictionary<string, string> { ["Urls"] = $"http://127.0.0.1:{port}" }, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>
    /// The sum of a metric's series as a Prometheus scraper reads them from /metrics (e.g. cinematic_archiver_requests_total),
    /// optionally only those with a label (e.g. "reason=expired").
    /// </summary>
    public async Task<double> MetricAsync(string name, string? label = null)
    {
        var scrape = await PrometheusScrape.ReadAsync(Http, new Uri(BaseUrl, "metrics"));
        return label?.Split('=', 2) is [var key, var value] ? scrape.Sum(name, (key, value)) : scrape.Sum(name);
    }
}
