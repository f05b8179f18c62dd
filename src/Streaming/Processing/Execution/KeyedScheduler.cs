namespace CinematicSwitch.Streaming.Processing.Execution;

/// <summary>
/// Grants records their turn to run: records of one key in arrival order, at most <c>maxPerKey</c> of a key at once;
/// different keys in parallel up to a global cap and per-lane caps; keys take turns, so one busy key does not starve
/// the others. A record waiting to retry gives its global and lane places back but keeps its key's, so the records of
/// other keys run meanwhile and the records of its own key stay behind it. Thread-safe.
/// </summary>
internal sealed class KeyedScheduler<TItem>(int maxInFlight, int maxPerKey, IReadOnlyDictionary<string, int> laneLimits)
    where TItem : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KeyQueue> _keys = new(StringComparer.Ordinal);
    private readonly LinkedList<KeyQueue> _ready = new();
    private readonly Dictionary<string, int> _laneRunning = new(StringComparer.OrdinalIgnoreCase);
    private bool _stopped;

    /// <summary>Records running now (holding a global place).</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return RunningUnlocked;
            }
        }
    }

    private int RunningUnlocked { get; set; }

    /// <summary>
    /// Completes when <paramref name="item"/> may run. The first call queues it behind its key; a call after
    /// <see cref="Pause"/> puts it back at the head of its key. Ends with <see cref="RecordWithdrawnException"/> after
    /// <see cref="Withdraw"/> or <see cref="Stop"/>, and with <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires first (the turn is then given up).
    /// </summary>
    public async Task WaitTurnAsync(string key, string lane, TItem item, CancellationToken cancellationToken)
    {
        var turn = Enqueue(key, lane, item);
        await using (cancellationToken.Register(() => GiveUp(key, turn)))
        {
            await turn.Granted.Task;
        }

        lock (_gate)
        {
            // Granted and given up at once: the places were released already.
            if (turn.GivenUp)
            {
                throw new OperationCanceledException(cancellationToken);
            }

            turn.Taken = true;
        }
    }

    private Turn Enqueue(string key, string lane, TItem item)
    {
        lock (_gate)
        {
            var turn = new Turn(item, lane);
            if (_stopped)
            {
                turn.Granted.TrySetException(new RecordWithdrawnException());
                return turn;
            }

            if (!_keys.TryGetValue(key, out var queue))
            {
                queue = new KeyQueue(key);
                _keys[key] = queue;
            }

            if (queue.Paused.Remove(item))
            {
                // Back from a pause: first in its key's line, and no longer counted as its key's running record.
                queue.Running--;
                queue.Waiting.AddFirst(turn);
            }
            else
            {
                queue.Waiting.AddLast(turn);
            }

            MarkReadyIfEligible(queue);
            Grant();
            return turn;
        }
    }

    /// <summary>A turn not granted yet is taken out of the line; one granted meanwhile is given back.</summary>
    private void GiveUp(string key, Turn turn)
    {
        lock (_gate)
        {
            if (_keys.TryGetValue(key, out var queue) && queue.Waiting.Remove(turn))
            {
                turn.Granted.TrySetCanceled();
                Tidy(queue);
            }
            else if (turn.Granted.Task.IsCompletedSuccessfully && !turn.Taken)
            {
                turn.GivenUp = true;
                ReleaseUnlocked(key, turn.Lane, item: null);
            }

            Grant();
        }
    }

    /// <summary>The record is done: its places go to the next records.</summary>
    public void Completed(string key, string lane) => Release(key, lane, item: null);

    /// <summary>The record waits to retry: its global and lane places go to others, its key stays held for it.</summary>
    public void Pause(string key, string lane, TItem item) => Release(key, lane, item);

    /// <summary>A paused record will not run again (it is dead-lettered, or handed over): its key is free.</summary>
    public void Abandon(string key, TItem item)
    {
        lock (_gate)
        {
            if (_keys.TryGetValue(key, out var queue) && queue.Paused.Remove(item))
            {
                queue.Running--;
                Tidy(queue);
                Grant();
            }
        }
    }

    /// <summary>
    /// Removes the waiting records that match (e.g. those of a revoked partition): their turns end with
    /// <see cref="RecordWithdrawnException"/>. Records running or paused finish, or are abandoned, by themselves.
    /// </summary>
    public void Withdraw(Func<TItem, bool> match)
    {
        lock (_gate)
        {
            foreach (var queue in _keys.Values.ToList())
            {
                foreach (var turn in queue.Waiting.Where(t => match(t.Item)).ToList())
                {
                    queue.Waiting.Remove(turn);
                    turn.Granted.TrySetException(new RecordWithdrawnException());
                }

                Tidy(queue);
            }

            Grant();
        }
    }

    /// <summary>No record gets a turn any more (shutdown); waiting ones are cancelled.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var turn in _keys.Values.SelectMany(q => q.Waiting))
            {
                turn.Granted.TrySetException(new RecordWithdrawnException());
            }
        }
    }

    private void Release(string key, string lane, TItem? item)
    {
        lock (_gate)
        {
            ReleaseUnlocked(key, lane, item);
        }
    }

    private void ReleaseUnlocked(string key, string lane, TItem? item)
    {
        RunningUnlocked--;
        _laneRunning[lane]--;
        var queue = _keys[key];
        if (item is null)
        {
            queue.Running--;
        }
        else
        {
            queue.Paused.Add(item);
        }

        Tidy(queue);
        Grant();
    }

    private void Grant()
    {
        for (var node = _ready.First; node is not null && RunningUnlocked < maxInFlight;)
        {
            var queue = node.Value;
            var next = node.Next;
            var turn = queue.Waiting.First!.Value;
            if (LaneHasRoom(turn.Lane))
            {
                queue.Waiting.RemoveFirst();
                queue.Running++;
                RunningUnlocked++;
                _laneRunning[turn.Lane] = _laneRunning.GetValueOrDefault(turn.Lane) + 1;
                // Round robin: the key goes to the back of the line, or out of it.
                _ready.Remove(node);
                queue.ReadyNode = null;
                MarkReadyIfEligible(queue);
                turn.Granted.TrySetResult();
            }

            node = next;
        }
    }

    private bool LaneHasRoom(string lane) =>
        !laneLimits.TryGetValue(lane, out var limit) || _laneRunning.GetValueOrDefault(lane) < limit;

    private void MarkReadyIfEligible(KeyQueue queue)
    {
        if (queue.ReadyNode is null && queue.Waiting.Count > 0 && queue.Running < maxPerKey)
        {
            queue.ReadyNode = _ready.AddLast(queue);
        }
    }

    private void Tidy(KeyQueue queue)
    {
        if (queue.ReadyNode is not null && (queue.Waiting.Count == 0 || queue.Running >= maxPerKey))
        {
            _ready.Remove(queue.ReadyNode);
            queue.ReadyNode = null;
        }

        if (queue.Running == 0 && queue.Waiting.Count == 0)
        {
            _keys.Remove(queue.Key);
            return;
        }

        MarkReadyIfEligible(queue);
    }

    private sealed class Turn(TItem item, string lane)
    {
        public TItem Item { get; } = item;

        public string Lane { get; } = lane;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The waiter went on with its granted turn: from now on it releases it itself.</summary>
        public bool Taken { get; set; }

        /// <summary>Cancelled after being granted, before the waiter went on: released by the scheduler.</summary>
        public bool GivenUp { get; set; }
    }

    private sealed class KeyQueue(string key)
    {
        public string Key { get; } = key;

        public LinkedList<Turn> Waiting { get; } = new();

        /// <summary>Records of this key granted a turn and not done: running, or paused between attempts.</summary>
        public int Running { get; set; }

        public HashSet<TItem> Paused { get; } = new(ReferenceEqualityComparer.Instance);

        public LinkedListNode<KeyQueue>? ReadyNode { get; set; }
    }
}

/// <summary>A record's turn was withdrawn: its partition went to another owner, or the processor is stopping.</summary>
internal sealed class RecordWithdrawnException : OperationCanceledException
{
    public RecordWithdrawnException()
        : base("The record was withdrawn: its partition is being handed over.")
    {
    }

    public RecordWithdrawnException(string message)
        : base(message)
    {
    }

    public RecordWithdrawnException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
