using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing;

public static class StreamDecoding
{
    /// <summary>
    /// A consumed record's value through <paramref name="deserializer"/>, with the record's topic and headers as its
    /// context: what an <see cref="IStreamHandler{TValue}"/>'s DecodeAsync does with a schema-registry deserializer.
    /// </summary>
    public static Task<T> DeserializeValueAsync<T>(this IAsyncDeserializer<T> deserializer, ConsumeResult<byte[]?, byte[]?> record) =>
        deserializer.DeserializeAsync(record.Message.Value, record.Message.Value is null,
            new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers));
}
