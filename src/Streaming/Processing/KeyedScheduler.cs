namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// Decides which queued record runs next: records of one key run in arrival order, at most
/// <c>maxPerKey</c> at once; different keys run in parallel up to a global cap and per-lane caps;
/// keys take turns, so one busy tenant does not starve the others. Not thread-safe: its owner locks.
/// </summary>
internal sealed class KeyedScheduler<TItem>(int maxInFlight, int maxPerKey, IReadOnlyDictionary<string, int> laneLimits)
{
    private readonly Dictionary<string, KeyQueue> _keys = new(StringComparer.Ordinal);
    private readonly LinkedList<KeyQueue> _ready = new();
    private readonly Dictionary<string, int> _laneInFlight = new(StringComparer.OrdinalIgnoreCase);

    public int InFlight { get; private set; }

    public int Queued { get; private set; }

    public void Enqueue(string key, string lane, TItem item)
    {
        if (!_keys.TryGetValue(key, out var queue))
        {
            queue = new KeyQueue(key);
            _keys[key] = queue;
        }

        queue.Items.Enqueue((lane, item));
        Queued++;
        MarkReadyIfEligible(queue);
    }

    /// <summary>Takes the next record allowed to run now, counting it as in flight.</summary>
    public bool TryTake(out (string Key, string Lane, TItem Item) work)
    {
        for (var node = InFlight < maxInFlight ? _ready.First : null; node is not null; node = node.Next)
        {
            var queue = node.Value;
            var (lane, item) = queue.Items.Peek();
            if (!LaneHasRoom(lane))
            {
                continue;
            }

            queue.Items.Dequeue();
            Queued--;
            queue.InFlight++;
            InFlight++;
            _laneInFlight[lane] = _laneInFlight.GetValueOrDefault(lane) + 1;

            // Round robin: the key goes to the back of the line, or out of it.
            _ready.Remove(node);
            queue.ReadyNode = null;
            MarkReadyIfEligible(queue);
            work = (queue.Key, lane, item);
            return true;
        }

        work = default;
        return false;
    }

    public void Completed(string key, string lane)
    {
        InFlight--;
        _laneInFlight[lane]--;
        var queue = _keys[key];
        queue.InFlight--;
        if (queue.InFlight == 0 && queue.Items.Count == 0)
        {
            _keys.Remove(key);
            return;
        }

        MarkReadyIfEligible(queue);
    }

    /// <summary>Removes queued (not started) records that match, e.g. those of a revoked partition.</summary>
    public List<TItem> RemoveQueued(Func<TItem, bool> match)
    {
        var removed = new List<TItem>();
        foreach (var queue in _keys.Values.ToList())
        {
            var kept = new Queue<(string, TItem)>();
            foreach (var entry in queue.Items)
            {
                if (match(entry.Item2))
                {
                    removed.Add(entry.Item2);
                }
                else
                {
                    kept.Enqueue(entry);
                }
            }

            Queued -= queue.Items.Count - kept.Count;
            queue.Items = kept;
            if (kept.Count == 0 && queue.ReadyNode is not null)
            {
                _ready.Remove(queue.ReadyNode);
                queue.ReadyNode = null;
            }

            if (kept.Count == 0 && queue.InFlight == 0)
            {
                _keys.Remove(queue.Key);
            }
        }

        return removed;
    }

    private bool LaneHasRoom(string lane) =>
        !laneLimits.TryGetValue(lane, out var limit) || _laneInFlight.GetValueOrDefault(lane) < limit;

    private void MarkReadyIfEligible(KeyQueue queue)
    {
        if (queue.ReadyNode is null && queue.Items.Count > 0 && queue.InFlight < maxPerKey)
        {
            queue.ReadyNode = _ready.AddLast(queue);
        }
    }

    private sealed class KeyQueue(string key)
    {
        public string Key { get; } = key;

        public Queue<(string Lane, TItem Item)> Items { get; set; } = new();

        public int InFlight { get; set; }

        public LinkedListNode<KeyQueue>? ReadyNode { get; set; }
    }
}
