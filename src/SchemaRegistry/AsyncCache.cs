using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>
/// Values loaded once per key: concurrent callers for a missing key share one load, failures are not kept
/// (the next call loads again), and the cache is emptied when it reaches its capacity.
/// </summary>
internal sealed class AsyncCache<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _entries = new();

    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_entries.TryGetValue(key, out var task) && task.IsCompletedSuccessfully)
        {
            value = task.Result;
            return true;
        }

        value = default;
        return false;
    }

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
            task = _entries.GetOrAdd(key, load);
            task.ContinueWith(
                static (t, state) =>
                {
                    var (entries, key) = ((ConcurrentDictionary<TKey, Task<TValue>>, TKey))state!;
                    entries.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, t));
                },
                (_entries, key),
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task.WaitAsync(cancellationToken);
    }

    private void EnsureRoom()
    {
        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
    }
}
