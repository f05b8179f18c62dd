using CinematicSwitch.Contracts.Events;
using Microsoft.Extensions.Caching.Memory;

namespace CinematicSwitch.Ingest.Webhooks;

/// <summary>
/// The deliveries whose doorbell this instance wrote lately, by the provider's id of the message (Replicate's webhook-id, which a
/// redelivery keeps), so that a redelivered webhook writes no second doorbell. Not by job id: a doorbell is only a hint, and an
/// earlier one about the same job (sent before it ended, or lying) must not silence the real end. Bounded by count, not time:
/// past the bound, at another instance, or from a provider with no message id (Leonardo), a repeat writes one more doorbell,
/// which is harmless: it costs at most one read, and none once the job's runner has read the end.
/// </summary>
internal sealed class WrittenDeliveries : IDisposable
{
    private const int Capacity = 20_000;

    private readonly MemoryCache _written = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public bool Contains(Provider provider, string deliveryId) => _written.TryGetValue((provider, deliveryId), out _);

    /// <summary>Called once the doorbell is acknowledged: a delivery whose doorbell failed must be written when it comes again.</summary>
    public void Add(Provider provider, string deliveryId) => _written.Set((provider, deliveryId), true, new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _written.Dispose();
}
