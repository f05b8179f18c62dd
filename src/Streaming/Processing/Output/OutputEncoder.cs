using System.Globalization;
using System.Text;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Changelog;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Output;

/// <summary>How the events of one type are published: their topic and their serializer.</summary>
internal sealed record OutputRoute(string Topic, Func<object, SerializationContext, Task<byte[]>> Serialize);

/// <summary>
/// Turns a handler's typed outputs into the exact records to publish (the decision's outbox): the value serialized for
/// its type's topic, keyed like the input record, on the partition the Java client would choose for that key, with the
/// runtime's headers (identity, output index, source, epoch).
/// </summary>
internal sealed class OutputEncoder(IReadOnlyDictionary<Type, OutputRoute> routes, IReadOnlyDictionary<string, int> partitionCounts)
{
    public async Task<IReadOnlyList<StoredOutput>> EncodeAsync(IReadOnlyList<object> outputs, string identity, string? key, TopicPartitionOffset source,
        long epoch)
    {
        var stored = new List<StoredOutput>(outputs.Count);
        var keyBytes = key is null ? null : Encoding.UTF8.GetBytes(key);
        for (var index = 0; index < outputs.Count; index++)
        {
            var output = outputs[index];
            if (!routes.TryGetValue(output.GetType(), out var route))
            {
                throw new InvalidOperationException($"{output.GetType().Name} is not an output of this stream: register it with Emits<{output.GetType().Name}>(topic).");
            }

            var value = await route.Serialize(output, new SerializationContext(MessageComponentType.Value, route.Topic));
            stored.Add(new StoredOutput(route.Topic, PartitionOf(route.Topic, keyBytes, source.Partition.Value), keyBytes, value,
                RuntimeHeaders(identity, index, source, epoch)));
        }

        return stored;
    }

    /// <summary>The headers every output of a decision carries, dead letters included.</summary>
    public static List<StoredHeader> RuntimeHeaders(string identity, int index, TopicPartitionOffset source, long epoch) =>
    [
        new(StreamHeaders.Identity, Encoding.UTF8.GetBytes(identity)),
        new(StreamHeaders.Output, Encoding.UTF8.GetBytes(index.ToString(CultureInfo.InvariantCulture))),
        new(StreamHeaders.Source, Encoding.UTF8.GetBytes($"{source.Topic}/{source.Partition.Value}/{source.Offset.Value}")),
        new(StreamHeaders.Epoch, Encoding.UTF8.GetBytes($"{source.Partition.Value}:{epoch}")),
    ];

    /// <summary>The Java client's choice for the key (murmur2), computed here so that recovery knows where to look before publishing.</summary>
    public int PartitionOf(string topic, byte[]? key, int inputPartition)
    {
        var count = partitionCounts[topic];
        return key is null ? inputPartition % count : Murmur2.Partition(key, count);
    }
}
