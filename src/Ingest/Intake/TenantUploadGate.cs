using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Api;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// At most <see cref="LimitsOptions.MaxConcurrentUploadsPerTenant"/> requests of one tenant are read, stored and
/// published at once; the next is refused with 429 and Retry-After before its body is read. Together with the upload
/// slots being more than that, one tenant's slow (or many) uploads cannot keep another tenant's from being served.
/// </summary>
internal sealed class TenantUploadGate(IOptions<IngestOptions> options)
{
    private readonly int _max = options.Value.Limits.MaxConcurrentUploadsPerTenant;
    private readonly int _retryAfterSeconds = options.Value.Limits.UploadRetryAfterSeconds;

    // One counter per configured tenant (the callers are authenticated): bounded by the tenant list.
    private readonly ConcurrentDictionary<string, StrongBox<int>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>A place for one more request of <paramref name="tenantId"/>, given back by disposing it; or the 429.</summary>
    public IDisposable Enter(string tenantId)
    {
        var count = _inFlight.GetOrAdd(tenantId, _ => new StrongBox<int>());
        if (Interlocked.Increment(ref count.Value) > _max)
        {
            Interlocked.Decrement(ref count.Value);
            throw new ApiException(Problems.Body(ApiErrors.TooManyRequests, UserMessages.TooManyUploads, StatusCodes.Status429TooManyRequests,
                ("max_concurrent_uploads", _max), (ApiJson.RetryAfterDetail, _retryAfterSeconds)));
        }

        return new Lease(count);
    }

    private sealed class Lease(StrongBox<int> count) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref count.Value);
            }
        }
    }
}
