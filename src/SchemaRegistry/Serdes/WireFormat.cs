using System.Buffers.Binary;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// The Confluent wire format as far as telling a bad value from a good one goes: magic byte 0, the schema's registry
/// id as a 4-byte big-endian integer, then the Avro binary body. Confluent's serdes read and write it; this names
/// what is wrong with a value before they see it. Subjects follow the TopicNameStrategy: "&lt;topic&gt;-value".
/// </summary>
public static class WireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    // Confluent's serdes (2.13+) may carry the schema id in a record header instead of the value's prefix.
    private const string KeySchemaIdHeader = "__key_schema_id";
    private const string ValueSchemaIdHeader = "__value_schema_id";

    public static string Subject(string topic, MessageComponentType component = MessageComponentType.Value) =>
        topic + (component == MessageComponentType.Key ? "-key" : "-value");

    /// <summary>The schema id of a wire-format value; null when a record header carries it instead.</summary>
    /// <exception cref="AvroSerdeException">The value is shorter than the header or does not start with the magic byte.</exception>
    public static int? SchemaIdOf(ReadOnlySpan<byte> data, SerializationContext context)
    {
        if (context.Headers is { } headers && headers.TryGetLastBytes(context.Component == MessageComponentType.Key ? KeySchemaIdHeader : ValueSchemaIdHeader, out _))
        {
            return null;
        }

        if (data.Length < HeaderSize)
        {
            throw new AvroSerdeException(AvroSerdeError.TruncatedHeader,
                $"A value{On(context.Topic)} of {data.Length} bytes is shorter than the Confluent wire-format header " +
                $"(magic byte 0 and a 4-byte schema id, {HeaderSize} bytes).");
        }

        if (data[0] != MagicByte)
        {
            throw new AvroSerdeException(AvroSerdeError.UnknownMagicByte,
                $"Unknown magic byte 0x{data[0]:x2} in a value{On(context.Topic)}: the Confluent wire format starts with 0x00. " +
                "The value was not written by a schema-registry serializer.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    internal static string On(string? topic) => string.IsNullOrEmpty(topic) ? "" : $" on {topic}";
}
