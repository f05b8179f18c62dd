using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// Takes an input partition over: reads its changelog, claims the partition (a claim entry, whose offset is the new
/// owner's epoch), reads what was written until the claim, and keeps of every identity its latest valid entry. An entry
/// is valid when the claim in force where it lies in the log is its writer's: whatever an earlier owner wrote after a
/// newer owner's claim was written by a fenced member and is ignored, here and by every later owner. Then, for the decisions whose outputs may not all be out yet (their input
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
        var log = new Dictionary<string, (long Offset, ChangelogEntry Entry)>(StringComparer.Ordinal);
        void Apply(ConsumeResult<byte[]?, byte[]?> record)
        {
            if (record.Message.Key is not { } key)
            {
                return;
            }

            var name = Encoding.UTF8.GetString(key);
            if (record.Message.Value is null)
            {
                log.Remove(name);
            }
            else
            {
                log[name] = (record.Offset.Value, ChangelogEntry.Deserialize(record.Message.Value));
            }
        }

        var end = await reader.ReadAsync(changelog, 0, Apply, cancellationToken);
        await lease.EnsureAsync(cancellationToken);
        var epoch = await writer.WriteAsync(partition, ChangelogEntry.Claim(member, time.GetUtcNow()));
        // A fenced owner may have written between the first read and the claim: those entries are read too.
        await reader.ReadRangeAsync(changelog, end, epoch, Apply, cancellationToken);

        var ledger = new PartitionLedger(epoch, committedOffset);
        var claims = log.Values.Where(e => e.Entry.Kind == EntryKind.Claim).Select(e => e.Offset).Order().ToList();
        foreach (var (offset, entry) in log.Values.Where(e => e.Entry.Kind != EntryKind.Claim).OrderBy(e => e.Offset))
        {
            // Valid: written under the claim in force where it lies in the log.
            var index = claims.BinarySearch(offset);
            var inForce = ~index > 0 ? claims[~index - 1] : -1;
            if (inForce == entry.Epoch)
            {
                ledger.Put(entry);
            }
            else
            {
                ledger.Remember(entry);
            }
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
