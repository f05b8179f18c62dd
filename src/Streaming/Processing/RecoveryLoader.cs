using System.Text;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// Rebuilds a partition's <see cref="PartitionRecovery"/> on assignment: reads the partition's changelog,
/// then, for the records that were in flight, reads back the output partitions from where their changelog
/// entries say outputs could start, collecting which outputs were already published. This is what lets a
/// new owner finish a crashed owner's records without publishing anything twice.
/// </summary>
internal sealed class RecoveryLoader(KafkaClientFactory clients, string groupId, string stateTopic, IReadOnlyList<string> outputTopics)
{
    public async Task<PartitionRecovery> LoadAsync(int partition, CancellationToken cancellationToken)
    {
        using var reader = new TopicReaderClient(clients, groupId);
        var recovery = new PartitionRecovery();

        await reader.ReadAsync(new TopicPartition(stateTopic, partition), 0, record =>
        {
            var identity = record.Message.Key is { } key ? Encoding.UTF8.GetString(key) : null;
            if (identity is null)
            {
                return;
            }

            if (record.Message.Value is null)
            {
                recovery.Remove(identity);
            }
            else
            {
                recovery.Put(StateEntry.Deserialize(record.Message.Value));
            }
        }, cancellationToken);

        var unfinished = recovery.Entries.Where(e => !e.Done).ToList();
        var scans = unfinished
            .SelectMany(e => e.ScanFrom)
            .GroupBy(kv => kv.Key, kv => kv.Value)
            .ToDictionary(g => g.Key, g => g.Min());
        var identities = unfinished.Select(e => e.Identity).ToHashSet(StringComparer.Ordinal);

        foreach (var (scanKey, from) in scans)
        {
            var (topic, outputPartition) = StateEntry.ParseScanKey(scanKey);
            await reader.ReadAsync(new TopicPartition(topic, outputPartition), from, record =>
            {
                if (Header(record, StreamHeaders.Identity) is { } identity && identities.Contains(identity)
                    && Header(record, StreamHeaders.Output) is { } output)
                {
                    recovery.MarkPublished(identity, output);
                }
            }, cancellationToken);
        }

        // Where this owner's outputs will land from now on, for the changelog entries it writes.
        foreach (var topic in outputTopics)
        {
            var scanKey = StateEntry.ScanKey(topic, partition);
            recovery.AdvanceFrontier(scanKey, reader.EndOffset(new TopicPartition(topic, partition)));
        }

        return recovery;
    }

    private static string? Header(ConsumeResult<byte[]?, byte[]?> record, string name) =>
        record.Message.Headers is { } headers && headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;
}
