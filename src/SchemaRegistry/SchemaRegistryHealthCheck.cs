using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>Ready when the registry answers its global configuration.</summary>
public sealed class SchemaRegistryHealthCheck(ISchemaRegistryClient registry) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var level = await registry.GetCompatibilityAsync(null, cancellationToken);
            return HealthCheckResult.Healthy($"compatibility {CompatibilityLevels.ToName(level)}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or SchemaRegistryException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
