using Amazon.S3;
using Amazon.S3.Model;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CinematicSwitch.ServiceDefaults.Health;

/// <summary>Ready when the configured buckets can be listed.</summary>
internal sealed class S3HealthCheck(ObjectStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            foreach (var bucket in new[] { store.Options.InputsBucket, store.Options.ArchiveBucket })
            {
                await store.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, timeout.Token);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is AmazonS3Exception or HttpRequestException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
