using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Ownership;

namespace CinematicSwitch.Streaming.Processing.Execution;

/// <summary>A record's state as its handler sees it: journal entries in the changelog, written only under a valid lease.</summary>
internal sealed class RecordStateHandle(ChangelogWriter changelog, PartitionOwner owner, PartitionLedger ledger, string identity, long inputOffset,
    TimeProvider time) : IRecordState
{
    public byte[]? Payload { get; private set; } = ledger.Entry(identity) is { Kind: EntryKind.Journal } entry ? entry.Payload : null;

    public async Task SaveAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var entry = new ChangelogEntry(EntryKind.Journal, identity, ledger.Epoch, inputOffset, time.GetUtcNow(), payload);
        await owner.Lease.EnsureAsync(cancellationToken);
        await changelog.WriteAsync(owner.Number, entry);
        ledger.Put(entry, entry.Key);
        Payload = payload;

        // What follows a save is often a paid call (a provider job whose intent this is). A member frozen while the write
        // was in flight comes back to an acknowledgement and an expired lease: it must not go on to make that call.
        await owner.Lease.EnsureAsync(cancellationToken);
    }

    public void Keep(byte[] payload) => Payload = payload;

    public ValueTask EnsureOwnedAsync(CancellationToken cancellationToken) => owner.Lease.EnsureAsync(cancellationToken);
}
