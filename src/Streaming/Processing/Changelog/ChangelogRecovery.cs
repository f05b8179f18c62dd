using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// Takes an input partition over: reads its changelog, claims the partition (a claim entry, whose offset is the new
/// owner's epoch), reads what was written until the claim, and keeps of every identity its latest valid entry. An entry
/// is valid when the claim in force where it lies in the log is its writer's: whatever an earlier owner wrote after a
/// newer owner's claim (a fenced member, or a write of it the producer retried past the claim) is ignored, here and by
/// every later owner, and never hides that owner's earlier valid entries. A claim of its own that another claim beat to
/// the log does not take force (<see cref="ClaimChain"/>): the takeover fails and is tried again on what is there now.
/// Then, for the decisions whose outputs may not all be out yet (their input
/// offset is not committed), it reads the output partitions back from where each decision said its outputs would land,
/// so that only the missing outputs are published.
/// </summary>
internal sealed class ChangelogRecovery(KafkaClientFactory clients, StreamTopics topics, ChangelogWriter writer, TimeProvider time)
{
    public async Task<PartitionLedger> TakeOverAsync(int partition, long committedOffset, string member, OwnershipLease lease,
        CancellationToken cancellationToken)
    {
        using var reader = new PartitionReader(clients, "recovery", time);
        var changelog = new TopicPartition(topics.State, partition);

        // Read in offset order, each entry judged where it lies: valid when the claim in force there is its writer's.
        var claims = new ClaimChain();
        var valid = new Dictionary<string, (string Key, ChangelogEntry Entry)>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        void Apply(ConsumeResult<byte[]?, byte[]?> record)
        {
            if (record.Message.Key is not { } bytes)
            {
                return;
            }

            var key = Encoding.UTF8.GetString(bytes);
            if (record.Message.Value is null)
            {
                // The sweeper forgot this entry.
                keys.Remove(key);
                var identity = ChangelogEntry.IdentityOf(key);
                if (valid.TryGetValue(identity, out var current) && current.Key == key)
                {
                    valid.Remove(identity);
                }

                return;
            }

            var entry = ChangelogEntry.Deserialize(record.Message.Value);
            if (entry.Kind == EntryKind.Claim)
            {
                claims.Apply(record.Offset.Value, entry.Supersedes);
                return;
            }

            keys.Add(key);
            if (claims.Counts(entry.Epoch))
            {
                valid[entry.Identity] = (key, entry);
            }
        }

        var end = await reader.ReadAsync(changelog, 0, Apply, cancellationToken);
        await lease.EnsureAsync(cancellationToken);
        var supersedes = claims.InForce;
        var epoch = await writer.WriteAsync(partition, ChangelogEntry.Claim(member, supersedes, time.GetUtcNow()));
        // A fenced owner may have written between the first read and the claim: those entries are read too.
        await reader.ReadRangeAsync(changelog, end, epoch, Apply, cancellationToken);
        if (!claims.Apply(epoch, supersedes))
        {
            throw new ClaimSupersededException($"the claim at {epoch} of changelog partition {partition} came after another member's");
        }

        var ledger = new PartitionLedger(epoch, committedOffset);
        foreach (var key in keys)
        {
            ledger.Remember(ChangelogEntry.IdentityOf(key), key);
        }

        foreach (var (key, entry) in valid.Values)
        {
            ledger.Put(entry, key);
        }

        await ReadBackAsync(reader, ledger, cancellationToken);
        return ledger;
    }

    /// <summary>Marks, for the uncommitted decisions, which of their outputs are already in the output partitions.</summary>
    private static async Task ReadBackAsync(PartitionReader reader, PartitionLedger ledger, CancellationToken cancellationToken)
    {
        var pending = ledger.Entries
            .Where(e => e is { Kind: EntryKind.Decision, Outputs.Count: > 0 } && e.InputOffset >= ledger.CommittedOffset)
            .ToList();
        var identities = pending.Select(e => e.Identity).ToHashSet(StringComparer.Ordinal);
        var scans = pending.SelectMany(e => e.ScanFrom ?? new Dictionary<string, long>())
            .GroupBy(kv => kv.Key, kv => kv.Value)
            .ToDictionary(g => g.Key, g => g.Min());
        foreach (var (scanKey, from) in scans)
        {
            var (topic, partition) = PartitionLedger.ParseScanKey(scanKey);
            var end = await reader.ReadAsync(new TopicPartition(topic, partition), from, record =>
            {
                if (StreamHeaders.Text(record.Message.Headers, StreamHeaders.Identity) is { } identity && identities.Contains(identity)
                    && int.TryParse(StreamHeaders.Text(record.Message.Headers, StreamHeaders.Output), out var output))
                {
                    ledger.MarkPublished(identity, output);
                }
            }, cancellationToken);
            ledger.AdvanceFrontier(scanKey, end);
        }
    }
}

/// <summary>Another member's claim reached the changelog between this member's read and its own claim.</summary>
internal sealed class ClaimSupersededException(string message) : Exception(message);

