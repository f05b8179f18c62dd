using Confluent.SchemaRegistry;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>Ready when the registry answers its global configuration.</summary>
public sealed class SchemaRegistryHealthCheck(ISchemaRegistryClient registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // Confluent's client takes no token: the check's own timeout bounds the wait, not the request.
            var level = await registry.GetCompatibilityAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy($"compatibility {level}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
