using System.Collections.Concurrent;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>
/// Values loaded once per key: concurrent callers for a missing key share one load, failures are not kept
/// (the next call loads again), and the cache is emptied when it reaches its capacity.
/// </summary>
internal sealed class AsyncCache<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _entries = new();

    public void Set(TKey key, TValue value)
    {
        EnsureRoom();
        _entries[key] = Task.FromResult(value);
    }

    /// <summary>The cached value, or the result of <paramref name="load"/>. The load itself is not cancelled with
    /// <paramref name="cancellationToken"/> (other callers may share it); the caller's wait is.</summary>
    public Task<TValue> GetOrLoadAsync(TKey key, Func<TKey, Task<TValue>> load, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(key, out var task))
        {
            EnsureRoom();
            // Callers may race here: only the one whose placeholder is stored starts the load.
            var placeholder = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _entries.GetOrAdd(key, placeholder.Task);
            if (task == placeholder.Task)
            {
                _ = CompleteAsync(placeholder, key, load);
            }
        }

        return task.WaitAsync(cancellationToken);
    }

    private async Task CompleteAsync(TaskCompletionSource<TValue> placeholder, TKey key, Func<TKey, Task<TValue>> load)
    {
        try
        {
            placeholder.SetResult(await load(key));
        }
        catch (Exception e)
        {
            // Forgotten before anyone sees the failure, so that a retry loads again.
            _entries.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, placeholder.Task));
            placeholder.SetException(e);
        }
    }

    private void EnsureRoom()
    {
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
    }
}
