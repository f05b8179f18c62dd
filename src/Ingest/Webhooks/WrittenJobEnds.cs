using CinematicSwitch.Providers;
using Microsoft.Extensions.Caching.Memory;

namespace CinematicSwitch.Ingest.Webhooks;

/// <summary>
/// The jobs whose end this instance wrote lately, so that a redelivered webhook writes no second doorbell: a provider sends a
/// message again when it saw no 2xx (Replicate with the same webhook-id and body), and a job ends once, so its id covers every
/// redelivery of its one "completed" message, also Leonardo's, which carry no delivery id. Bounded by count, not time: past
/// the bound, or at another instance, a redelivery writes one more doorbell, which is harmless (the job's runner stopped
/// listening once it read the end; a ring nobody waits for is kept a minute at most, then dropped).
/// </summary>
internal sealed class WrittenJobEnds : IDisposable
{
    private const int Capacity = 20_000;

    private readonly MemoryCache _written = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool Contains(ProviderName provider, string jobId) => _written.TryGetValue((provider, jobId), out _);

    /// <summary>Called once the doorbell is acknowledged: a delivery whose doorbell failed must be written when it comes again.</summary>
    public void Add(ProviderName provider, string jobId) => _written.Set((provider, jobId), true, new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _written.Dispose();
}
