using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Ownership;

namespace CinematicSwitch.Streaming.Processing.Output;

/// <summary>
/// Makes a record's outcome count, the outbox way: the decision (the exact output records, the record's final state,
/// where its outputs will land) is written to the changelog first, durably and only under a valid lease; then its
/// outputs are relayed. A crash between the two leaves a decision a new owner relays; a fenced owner's decision written
/// after a newer claim is ignored by everyone, and it relays nothing.
/// </summary>
internal sealed class DecisionPublisher(ChangelogWriter changelog, FrontierTracker frontiers, OutputRelay relay, TimeProvider time)
{
    public async Task<ChangelogEntry> DecideAsync(PartitionOwner owner, PartitionLedger ledger, string identity, long inputOffset,
        IReadOnlyList<StoredOutput> outputs, byte[]? payload, bool deadLettered, CancellationToken cancellationToken)
    {
        var scanFrom = await frontiers.ScanFromAsync(ledger, outputs.Select(o => (o.Topic, o.Partition)), cancellationToken);
        var decision = new ChangelogEntry(EntryKind.Decision, identity, ledger.Epoch, inputOffset, time.GetUtcNow(), payload, outputs, scanFrom,
            deadLettered);
        await owner.Lease.EnsureAsync(cancellationToken);
        await changelog.WriteAsync(owner.Number, decision);
        ledger.Put(decision, decision.Key);
        await relay.RelayAsync(owner, ledger, decision, cancellationToken);
        return decision;
    }
}
