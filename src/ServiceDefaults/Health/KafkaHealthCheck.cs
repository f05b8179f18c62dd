using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.ServiceDefaults.Health;

/// <summary>Ready when a broker answers a metadata request.</summary>
internal sealed class KafkaHealthCheck(KafkaClientFactory clients) : IHealthCheck, IDisposable
{
    private readonly Lazy<IAdminClient> _admin = new(clients.CreateAdmin);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // GetMetadata blocks on the network; keep it off the request thread.
            var metadata = await Task.Run(() => _admin.Value.GetMetadata(TimeSpan.FromSeconds(3)), cancellationToken);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"{metadata.Brokers.Count} broker(s)")
                : HealthCheckResult.Unhealthy("no brokers in metadata");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy(e.Error.Reason);
        }
    }

    public void Dispose()
    {
        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }
    }
}
