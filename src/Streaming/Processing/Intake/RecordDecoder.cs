using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Intake;

/// <summary>
/// A consumed record's value as the typed event, through the registry-aware deserializer, with its topic and headers as
/// the serialization context. Poison of every kind is a <see cref="PoisonRecordException"/> saying what is wrong and never
/// what the record holds: no value (a tombstone), an empty or oversize value, and whatever the deserializer refuses
/// (wrong magic byte, unknown or incompatible schema, a truncated or corrupt body). A registry that cannot be reached
/// is not the record's fault: that failure goes through as it is, to be retried.
/// </summary>
internal sealed class RecordDecoder<TIn>(IAsyncDeserializer<TIn> deserializer, int maxRecordBytes)
{
    public async Task<TIn> DecodeAsync(ConsumeResult<byte[]?, byte[]?> record)
    {
        var value = record.Message.Value;
        if (value is null)
        {
            throw new PoisonRecordException("a tombstone (the record has no value)");
        }

        if (value.Length == 0)
        {
            throw new PoisonRecordException("an empty value");
        }

        if (value.Length > maxRecordBytes)
        {
            throw new PoisonRecordException($"a value of {value.Length} bytes, over the {maxRecordBytes} accepted");
        }

        try
        {
            return await deserializer.DeserializeAsync(value, isNull: false,
                new SerializationContext(MessageComponentType.Value, record.Topic, record.Message.Headers));
        }
        catch (Exception e) when (!RetriableException.IsRetriable(e))
        {
            throw new PoisonRecordException($"{e.GetType().Name}: {e.Message}", e);
        }
    }
}
