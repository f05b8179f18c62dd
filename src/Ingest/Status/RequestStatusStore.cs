using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Status;

/// <summary>
/// The projection's state: every known request by id, at most <see cref="StatusOptions.MaxRequests"/> of them (the
/// oldest known go first), and the callers waiting for an outcome (/dev/run).
/// </summary>
internal sealed class RequestStatusStore(IOptions<IngestOptions> options)
{
    private readonly int _capacity = options.Value.Status.MaxRequests;
    private readonly ConcurrentDictionary<Guid, RequestState> _states = new();
    private readonly ConcurrentQueue<Guid> _arrival = new();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RequestState>> _waiters = new();

    public int Count => _states.Count;

    /// <summary>The request, if it belongs to <paramref name="tenantId"/>: another tenant's id is as unknown as a made-up one.</summary>
    public RequestState? Get(Guid requestId, string tenantId) =>
        _states.TryGetValue(requestId, out var state) && string.Equals(state.TenantId, tenantId, StringComparison.Ordinal) ? state : null;

    public void Apply(Guid requestId, Func<RequestState?, RequestState> update)
    {
        var added = false;
        var state = _states.AddOrUpdate(
            requestId,
            _ =>
            {
                added = true;
                return update(null);
            },
            (_, current) =>
            {
                added = false;
                return update(current);
            });

        if (added)
        {
            _arrival.Enqueue(requestId);
            while (_states.Count > _capacity && _arrival.TryDequeue(out var oldest))
            {
                _states.TryRemove(oldest, out _);
            }
        }

        if (state.IsTerminal && _waiters.TryRemove(requestId, out var waiter))
        {
            waiter.TrySetResult(state);
        }
    }

    /// <summary>The request once it completed or failed, or null if that did not happen within <paramref name="timeout"/>.</summary>
    public async Task<RequestState?> WaitForOutcomeAsync(Guid requestId, string tenantId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = _waiters.GetOrAdd(requestId, _ => new TaskCompletionSource<RequestState>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Get(requestId, tenantId) is { IsTerminal: true } known)
        {
            _waiters.TryRemove(new KeyValuePair<Guid, TaskCompletionSource<RequestState>>(requestId, waiter));
            return known;
        }

        try
        {
            var state = await waiter.Task.WaitAsync(timeout, cancellationToken);
            return string.Equals(state.TenantId, tenantId, StringComparison.Ordinal) ? state : null;
        }
        catch (TimeoutException)
        {
            _waiters.TryRemove(new KeyValuePair<Guid, TaskCompletionSource<RequestState>>(requestId, waiter));
            return null;
        }
    }
}
