using System.Buffers.Binary;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// The Confluent wire format: magic byte 0, the schema's registry id as a 4-byte big-endian integer, then the
/// Avro binary body. Subjects follow the TopicNameStrategy: "&lt;topic&gt;-value" and "&lt;topic&gt;-key".
/// </summary>
public static class WireFormat
{
    public const byte MagicByte = 0;
    public const int HeaderSize = 5;

    public static string Subject(string topic, MessageComponentType component = MessageComponentType.Value) =>
        topic + (component == MessageComponentType.Key ? "-key" : "-value");

    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination[1..], schemaId);
    }

    /// <summary>The schema id of a wire-format value.</summary>
    /// <exception cref="AvroSerdeException">The value is shorter than the header or does not start with the magic byte.</exception>
    public static int ReadSchemaId(ReadOnlySpan<byte> data, string? topic = null)
    {
        if (data.Length < HeaderSize)
        {
            throw new AvroSerdeException(AvroSerdeError.TruncatedHeader,
                $"A value{On(topic)} of {data.Length} bytes is shorter than the Confluent wire-format header " +
                $"(magic byte 0 and a 4-byte schema id, {HeaderSize} bytes).");
        }

        if (data[0] != MagicByte)
        {
            throw new AvroSerdeException(AvroSerdeError.UnknownMagicByte,
                $"Unknown magic byte 0x{data[0]:x2} in a value{On(topic)}: the Confluent wire format starts with 0x00. " +
                "The value was not written by a schema-registry serializer.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    internal static string On(string? topic) => topic is null ? "" : $" on {topic}";
}
