using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Status;

/// <summary>A request as known now, and a task that completes when that changes (or the store forgets the request).</summary>
internal sealed record RequestObservation(RequestState State, Task<RequestState> Changed);

/// <summary>
/// The projection's state: every known request by id, at most <see cref="StatusOptions.MaxRequests"/> of them (the
/// oldest known go first), each tenant's requests by creation time, and a change signal per request for those who
/// follow one (/dev/run waiting for its outcome, the status event stream).
/// </summary>
internal sealed class RequestStatusStore(IOptions<IngestOptions> options)
{
    private readonly int _capacity = options.Value.Status.MaxRequests;
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly ConcurrentQueue<Guid> _arrival = new();
    private readonly ConcurrentDictionary<string, TenantIndex> _tenants = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    /// <summary>The request, if it belongs to <paramref name="tenantId"/>: another tenant's id is as unknown as a made-up one.</summary>
    public RequestState? Get(Guid requestId, string tenantId) => Observe(requestId, tenantId)?.State;

    /// <summary>The request and the signal of its next change, if it belongs to <paramref name="tenantId"/>.</summary>
    public RequestObservation? Observe(Guid requestId, string tenantId) =>
        _entries.TryGetValue(requestId, out var entry) && string.Equals(entry.State.TenantId, tenantId, StringComparison.Ordinal)
            ? new RequestObservation(entry.State, entry.Next.Task)
            : null;

    /// <summary>The tenant's latest requests by creation time, newest first.</summary>
    public IReadOnlyList<RequestState> Recent(string tenantId, int limit) =>
        _tenants.TryGetValue(tenantId, out var index)
            ? index.Newest(limit).Select(id => Get(id, tenantId)).OfType<RequestState>().ToList()
            : [];

    /// <summary>
    /// Replaces the request's state with <paramref name="update"/> of it. Intake (for the requests it accepted) and the
    /// projection both write, so a lost race is retried on the winner's state.
    /// </summary>
    public void Apply(Guid requestId, Func<RequestState?, RequestState> update)
    {
        while (true)
        {
            if (_entries.TryGetValue(requestId, out var current))
            {
                var next = new Entry(update(current.State));
                if (_entries.TryUpdate(requestId, next, current))
                {
                    if (next.State.CreatedAt != current.State.CreatedAt)
                    {
                        Reindex(next.State.TenantId, requestId);
                    }

                    // Signalled after the swap, so that whoever wakes up and looks again sees this state or a later one.
                    current.Next.TrySetResult(next.State);
                    return;
                }
            }
            else
            {
                var added = new Entry(update(null));
                if (_entries.TryAdd(requestId, added))
                {
                    Reindex(added.State.TenantId, requestId);
                    _arrival.Enqueue(requestId);
                    Evict();
                    return;
                }
            }
        }
    }

    /// <summary>The request once it completed or failed, or null if that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<RequestState?> WaitForOutcomeAsync(Guid requestId, string tenantId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (Observe(requestId, tenantId) is { } seen)
            {
                if (seen.State.IsTerminal)
                {
                    return seen.State;
                }

                await seen.Changed.WaitAsync(deadline.Token);
            }

            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private void Evict()
    {
        while (_entries.Count > _capacity && _arrival.TryDequeue(out var oldest))
        {
            if (_entries.TryRemove(oldest, out var evicted))
            {
                Reindex(evicted.State.TenantId, oldest);
                // Followers wake up, look again, and find the request gone.
                evicted.Next.TrySetResult(evicted.State);
            }
        }
    }

    private void Reindex(string tenantId, Guid requestId) =>
        _tenants.GetOrAdd(tenantId, _ => new TenantIndex()).Sync(requestId, () => Get(requestId, tenantId));

    /// <summary>A state and the promise of the one after it: whoever holds the entry can wait for its successor.</summary>
    private sealed class Entry(RequestState state)
    {
        public RequestState State { get; } = state;

        public TaskCompletionSource<RequestState> Next { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One tenant's requests ordered by creation time (the first attempt's), for "newest first" without a scan.</summary>
    private sealed class TenantIndex
    {
        private readonly Lock _gate = new();
        private readonly SortedSet<(DateTimeOffset CreatedAt, Guid Id)> _byCreation = [];
        private readonly Dictionary<Guid, DateTimeOffset> _created = [];

        /// <summary>
        /// Brings the request's place in line with its <paramref name="current"/> state (null: gone), read under this
        /// lock: concurrent writers may sync in any order and the index still ends up as the store is.
        /// </summary>
        public void Sync(Guid requestId, Func<RequestState?> current)
        {
            lock (_gate)
            {
                var state = current();
                if (_created.Remove(requestId, out var indexed))
                {
                    _byCreation.Remove((indexed, requestId));
                }

                if (state is not null)
                {
                    _created[requestId] = state.CreatedAt;
                    _byCreation.Add((state.CreatedAt, requestId));
                }
            }
        }

        public List<Guid> Newest(int limit)
        {
            lock (_gate)
            {
                return _byCreation.Reverse().Take(limit).Select(e => e.Id).ToList();
            }
        }
    }
}
