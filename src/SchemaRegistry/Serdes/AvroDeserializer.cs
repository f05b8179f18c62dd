using System.Collections.Concurrent;
using System.Net;
using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry.Rest;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Reads Confluent wire-format values into <typeparamref name="T"/>: the writer schema is fetched by the id in
/// the header (once per id) and resolved against the reader schema, so values written with older or newer
/// compatible schemas decode too. Bad bytes throw <see cref="AvroSerdeException"/>; an unreachable registry
/// throws <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>.
/// </summary>
public sealed class AvroDeserializer<T> : IDeserializer<T>, IAsyncDeserializer<T>
    where T : class
{
    private readonly ISchemaRegistryClient _registry;
    private readonly AvroCodec<T> _codec;
    private readonly ConcurrentDictionary<int, Schema> _writers = new();

    public AvroDeserializer(ISchemaRegistryClient registry, AvroCodec<T> codec)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(codec);
        _registry = registry;
        _codec = codec;
    }

    /// <summary>The reader schema.</summary>
    public Schema Schema => _codec.Schema;

    /// <summary>Decodes one value; completes synchronously once its schema id has been seen.</summary>
    /// <param name="topic">Named in error messages.</param>
    public ValueTask<T> DeserializeAsync(ReadOnlyMemory<byte> data, string? topic = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var id = WireFormat.ReadSchemaId(data.Span, topic);
            return _writers.TryGetValue(id, out var writer)
                ? new ValueTask<T>(Decode(data.Span, id, writer, topic))
                : DeserializeSlowAsync(data, id, topic, cancellationToken);
        }
        catch (AvroSerdeException e)
        {
            return ValueTask.FromException<T>(e);
        }
    }

    /// <summary>Confluent.Kafka's asynchronous deserializer; a null record is a null value.</summary>
    public Task<T> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context) =>
        isNull ? Task.FromResult<T>(null!) : DeserializeAsync(data, context.Topic).AsTask();

    /// <summary>Confluent.Kafka's synchronous deserializer. The first value of a schema id waits for the registry.</summary>
    public T Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return null!;
        }

        var id = WireFormat.ReadSchemaId(data, context.Topic);
        var writer = _writers.TryGetValue(id, out var cached)
            ? cached
            : WriterSchemaAsync(id, context.Topic, CancellationToken.None).GetAwaiter().GetResult();
        return Decode(data, id, writer, context.Topic);
    }

    private async ValueTask<T> DeserializeSlowAsync(ReadOnlyMemory<byte> data, int id, string? topic, CancellationToken cancellationToken)
    {
        var writer = await WriterSchemaAsync(id, topic, cancellationToken);
        return Decode(data.Span, id, writer, topic);
    }

    private async Task<Schema> WriterSchemaAsync(int id, string? topic, CancellationToken cancellationToken)
    {
        SchemaById registered;
        try
        {
            registered = await _registry.GetSchemaAsync(id, cancellationToken);
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.NotFound || e.ErrorCode == RegistryErrorCodes.SchemaNotFound)
        {
            throw new AvroSerdeException(AvroSerdeError.UnknownSchemaId,
                $"Unknown schema id {id} in a value{WireFormat.On(topic)}: the schema registry does not know it. {e.Message}", id, e);
        }

        if (!string.Equals(registered.SchemaType, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"Schema id {id} of a value{WireFormat.On(topic)} is a {registered.SchemaType} schema, not Avro.", id);
        }

        Schema writer;
        try
        {
            writer = Schema.Parse(registered.Schema);
        }
        catch (SchemaParseException e)
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"Schema id {id} of a value{WireFormat.On(topic)} is not a valid Avro schema: {e.Message}", id, e);
        }

        return _writers.GetOrAdd(id, writer);
    }

    private T Decode(ReadOnlySpan<byte> data, int id, Schema writer, string? topic)
    {
        try
        {
            return _codec.Deserialize(data[WireFormat.HeaderSize..], writer);
        }
        catch (AvroResolutionException e)
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"A value{WireFormat.On(topic)} written with schema id {id} ({writer.DisplayName}) cannot be read as {Schema.DisplayName}: {e.Message}", id, e);
        }
        catch (Exception e) when (e is AvroException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new AvroSerdeException(AvroSerdeError.InvalidBody,
                $"The Avro body of a value{WireFormat.On(topic)} with schema id {id} ({writer.DisplayName}, {data.Length - WireFormat.HeaderSize} bytes) " +
                $"is truncated or corrupt: {e.Message}", id, e);
        }
    }
}
