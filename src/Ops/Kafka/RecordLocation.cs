using System.Globalization;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Kafka;

/// <summary>Where a record is: "topic/partition/offset" (topic names cannot contain '/').</summary>
internal readonly record struct RecordLocation(string Topic, int Partition, long Offset)
{
    public static RecordLocation Of<TKey, TValue>(ConsumeResult<TKey, TValue> record) =>
        new(record.Topic, record.Partition.Value, record.Offset.Value);

    public static bool TryParse(string? text, out RecordLocation location)
    {
        location = default;
        var parts = text?.Split('/') ?? [];
        if (parts.Length != 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return false;
        }

        location = new RecordLocation(parts[0], partition, offset);
        return true;
    }

    public override string ToString() => $"{Topic}/{Partition}/{Offset}";
}
