using System.Text;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>Writes a processor's changelog entries, each to the partition of the input record it belongs to.</summary>
internal sealed class ChangelogWriter(IProducer<byte[]?, byte[]?> producer, string stateTopic)
{
    /// <summary>
    /// Writes <paramref name="entry"/> to <paramref name="partition"/> and returns its offset once all in-sync replicas
    /// have it (the idempotent acks=all producer). Not cancellable: a write handed to the producer lands whether or not
    /// anyone waits for it.
    /// </summary>
    public async Task<long> WriteAsync(int partition, ChangelogEntry entry)
    {
        var delivered = await producer.ProduceAsync(new TopicPartition(stateTopic, partition), new Message<byte[]?, byte[]?>
        {
            Key = Encoding.UTF8.GetBytes(entry.Key),
            Value = entry.Serialize(),
        }, CancellationToken.None);
        return delivered.Offset.Value;
    }

    /// <summary>Removes an entry from the compacted changelog (its key, without waiting).</summary>
    public void Tombstone(int partition, string key) =>
        producer.Produce(new TopicPartition(stateTopic, partition), new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(key), Value = null });
}
