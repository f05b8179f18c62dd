using System.Collections.Concurrent;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Providers.Running;

/// <summary>
/// Wakes the runner polling a provider job when the provider said the job ended (a verified webhook, relayed through Kafka), so
/// that it reads the job at once instead of at its next safety-net poll. A ring is only a hint: the runner reads the job from the
/// provider and believes nothing else, so a ring for a job that has not ended costs one read.
/// </summary>
public interface IJobDoorbell
{
    void Ring(Provider provider, string jobId);
}

internal sealed class JobDoorbell(TimeProvider time) : IJobDoorbell
{
    /// <summary>
    /// How long a ring for a job nobody waits on yet is kept: the webhook can beat the create answer (or the journal write after
    /// it) to this process. Rings for other processes' jobs are dropped with it.
    /// </summary>
    internal static readonly TimeSpan EarlyRingWindow = TimeSpan.FromMinutes(1);

    private const int EarlyRingLimit = 10_000;

    private readonly ConcurrentDictionary<(Provider, string), Bell> armed = new();
    private readonly ConcurrentDictionary<(Provider, string), DateTimeOffset> early = new();

    public void Ring(Provider provider, string jobId)
    {
        if (armed.TryGetValue((provider, jobId), out var bell))
        {
            bell.Ring();
            return;
        }

        var now = time.GetUtcNow();
        early[(provider, jobId)] = now;
        if (early.Count > EarlyRingLimit)
        {
            foreach (var (key, at) in early)
            {
                if (now - at > EarlyRingWindow)
                {
                    early.TryRemove(key, out _);
                }
            }
        }
    }

    /// <summary>Listens for rings of a job until disposed; a ring that came shortly before counts.</summary>
    public Bell Arm(Provider provider, string jobId)
    {
        var bell = new Bell(this, (provider, jobId));
        armed[(provider, jobId)] = bell;
        if (early.TryRemove((provider, jobId), out var at) && time.GetUtcNow() - at <= EarlyRingWindow)
        {
            bell.Ring();
        }

        return bell;
    }

    internal sealed class Bell(JobDoorbell owner, (Provider, string) key) : IDisposable
    {
        private readonly SemaphoreSlim rung = new(0, 1);

        /// <summary>Returns when the bell rings (or rang since the last wait), or after <paramref name="longest"/>.</summary>
        public async Task WaitAsync(TimeSpan longest, TimeProvider time, CancellationToken cancellationToken)
        {
            using var timeout = new CancellationTokenSource(longest, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            try
            {
                await rung.WaitAsync(either.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The safety-net interval passed without a ring: poll all the same.
            }
        }

        internal void Ring()
        {
            try
            {
                rung.Release();
            }
            catch (SemaphoreFullException)
            {
                // Rung already and not yet waited on: one read answers both rings.
            }
            catch (ObjectDisposedException)
            {
                // The job ended between the look-up and the ring.
            }
        }

        public void Dispose()
        {
            ((ICollection<KeyValuePair<(Provider, string), Bell>>)owner.armed).Remove(new(key, this));
            rung.Dispose();
        }
    }
}
