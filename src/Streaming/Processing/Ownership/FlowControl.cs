using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Ownership;

/// <summary>
/// Back-pressure: a partition whose received and unfinished records reach <see cref="StreamProcessorOptions.MaxBufferedPerPartition"/>
/// is paused, and resumed at half; every partition is paused while the processor drains to stop.
/// </summary>
internal sealed class FlowControl(int maxBuffered)
{
    public void Apply(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<PartitionOwner> owners, bool draining)
    {
        foreach (var owner in owners)
        {
            int buffered;
            lock (owner.Gate)
            {
                buffered = owner.Offsets.Pending;
            }

            if (!owner.Paused && (buffered >= maxBuffered || draining))
            {
                consumer.Pause([owner.Partition]);
                owner.Paused = true;
            }
            else if (owner.Paused && !draining && buffered <= maxBuffered / 2)
            {
                consumer.Resume([owner.Partition]);
                owner.Paused = false;
            }
        }
    }
}
