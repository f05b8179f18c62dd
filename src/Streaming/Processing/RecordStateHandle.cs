namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// A record's changelog entry as its handler sees it. The entry is written before the first output is
/// published (or earlier, when the handler saves state), with the output partitions' current ends, which
/// is where recovery will look for this record's outputs.
/// </summary>
internal sealed class RecordStateHandle(StateChangelog changelog, PartitionRecovery recovery, string identity, long offset,
    IReadOnlyList<string> scanKeys, StateEntry? existing) : IRecordState
{
    private StateEntry? _entry = existing;

    public byte[]? Payload => _entry?.Payload;

    public Task SaveAsync(byte[] payload, CancellationToken cancellationToken) => WriteAsync(payload, cancellationToken);

    /// <summary>Makes sure an entry exists before outputs are published.</summary>
    public Task EnsureWrittenAsync(CancellationToken cancellationToken) =>
        _entry is null ? WriteAsync(null, cancellationToken) : Task.CompletedTask;

    public async Task MarkDoneAsync(bool deadLettered = false)
    {
        var done = new StateEntry(identity, offset, Done: true, DateTimeOffset.UtcNow, new Dictionary<string, long>(), Payload: null, deadLettered);
        await changelog.WriteAsync(done);
        _entry = done;
        recovery.Put(done);
        recovery.ForgetPublished(identity);
    }

    private async Task WriteAsync(byte[]? payload, CancellationToken cancellationToken)
    {
        // A previous owner's bounds stay: its outputs may lie between them and today's frontier.
        var scanFrom = new Dictionary<string, long>(_entry?.ScanFrom ?? new Dictionary<string, long>(), StringComparer.Ordinal);
        foreach (var key in scanKeys)
        {
            if (!scanFrom.ContainsKey(key))
            {
                scanFrom[key] = await changelog.FrontierAsync(recovery, key, cancellationToken);
            }
        }

        var entry = new StateEntry(identity, offset, Done: false, DateTimeOffset.UtcNow, scanFrom, payload);
        await changelog.WriteAsync(entry);
        _entry = entry;
        recovery.Put(entry);
    }
}
