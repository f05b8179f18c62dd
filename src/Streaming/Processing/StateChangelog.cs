using System.Text;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

/// <summary>Writes a processor's changelog entries, each to the partition of the input record it belongs to.</summary>
internal sealed class StateChangelog(IProducer<byte[]?, byte[]?> producer, string stateTopic, int partition, TopicReaderClient endOffsets, Lock endOffsetsGate)
{
    public int Partition => partition;

    /// <summary>
    /// Durable once this returns: the idempotent producer waits for all in-sync replicas. Deliberately not
    /// cancellable: a write handed to the producer lands whether or not anyone waits for it.
    /// </summary>
    public async Task WriteAsync(StateEntry entry)
    {
        await producer.ProduceAsync(new TopicPartition(stateTopic, partition), new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(entry.Identity),
            Value = entry.Serialize(),
        }, CancellationToken.None);
    }

    public Task TombstoneAsync(string identity) =>
        producer.ProduceAsync(new TopicPartition(stateTopic, partition), new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(identity),
            Value = null,
        });

    /// <summary>The current lower bound of an output partition's end, asking the broker the first time.</summary>
    public async Task<long> FrontierAsync(PartitionRecovery recovery, string scanKey, CancellationToken cancellationToken)
    {
        if (recovery.Frontier(scanKey) is { } known)
        {
            return known;
        }

        var (topic, outputPartition) = StateEntry.ParseScanKey(scanKey);
        var end = await Task.Run(() =>
        {
            lock (endOffsetsGate)
            {
                return endOffsets.EndOffset(new TopicPartition(topic, outputPartition));
            }
        }, cancellationToken);
        recovery.AdvanceFrontier(scanKey, end);
        return recovery.Frontier(scanKey)!.Value;
    }
}
