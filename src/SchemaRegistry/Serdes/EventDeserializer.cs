using System.Collections.Concurrent;
using System.Net;
using Avro;
using CinematicSwitch.Contracts;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Reads Confluent wire-format values into an event with Confluent's <see cref="AvroDeserializer{T}"/> and the event's
/// specific record: the writer schema is fetched by the id in the header and resolved against the event's schema by
/// Apache.Avro, so values written with older or newer compatible schemas decode too. A value that cannot be decoded
/// throws an <see cref="AvroSerdeException"/> saying why (a null value, a tombstone, included); an unreachable or failing
/// registry throws a retriable <see cref="HttpRequestException"/>.
/// </summary>
public abstract class EventDeserializer<TEvent> : IAsyncDeserializer<TEvent>, IDeserializer<TEvent>
    where TEvent : class
{
    private protected EventDeserializer()
    {
    }

    /// <summary>The reader schema: the event's .avsc.</summary>
    public abstract RecordSchema Schema { get; }

    /// <summary>Confluent.Kafka's asynchronous deserializer. Completes synchronously once the value's schema id has been seen.</summary>
    public Task<TEvent> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context)
    {
        int? id = null;
        Task<TEvent> decoding;
        try
        {
            if (isNull)
            {
                throw new AvroSerdeException(AvroSerdeError.Tombstone,
                    $"A record{WireFormat.On(context.Topic)} has a null value (a tombstone): a {typeof(TEvent).Name} is never deleted, so there is nothing to decode.");
            }

            id = WireFormat.SchemaIdOf(data.Span, context);
            decoding = DecodeAsync(data, context);
        }
        catch (AvroSerdeException e)
        {
            return Task.FromException<TEvent>(e);
        }
        catch (Exception e)
        {
            // Mapping a decoded record to the event fails the same way as decoding: classified below.
            decoding = Task.FromException<TEvent>(e);
        }

        return decoding.IsCompletedSuccessfully ? decoding : ClassifiedAsync(decoding, data.Length, id, context);
    }

    /// <summary>Confluent.Kafka's synchronous deserializer. The first value of a schema id waits for the registry.</summary>
    public TEvent Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
        DeserializeAsync(isNull ? default : data.ToArray(), isNull, context).GetAwaiter().GetResult();

    /// <summary>Decodes one value of <paramref name="topic"/> (named in failures).</summary>
    public Task<TEvent> DeserializeAsync(ReadOnlyMemory<byte> data, string? topic = null, CancellationToken cancellationToken = default) =>
        DeserializeAsync(data, false, new SerializationContext(MessageComponentType.Value, topic)).WaitAsync(cancellationToken);

    private protected abstract Task<TEvent> DecodeAsync(ReadOnlyMemory<byte> data, SerializationContext context);

    /// <summary>Why values written with schema id <paramref name="id"/> cannot be read as the event: the writer
    /// schema's name and the resolution problems (none when it can be read).</summary>
    private protected abstract Task<(string Writer, IReadOnlyList<string> Problems)> WriterAsync(int id);

    private async Task<TEvent> ClassifiedAsync(Task<TEvent> decoding, int length, int? id, SerializationContext context)
    {
        try
        {
            return await decoding;
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.NotFound)
        {
            throw new AvroSerdeException(AvroSerdeError.UnknownSchemaId,
                $"Unknown schema id {id} in a value{WireFormat.On(context.Topic)}: the schema registry does not know it. {e.Message}", id)
            {
                Status = e.Status,
                RegistryErrorCode = e.ErrorCode,
            };
        }
        catch (SchemaRegistryException e) when (RegistryFailures.IsRefusal(e))
        {
            throw RegistryFailures.Refused(e, $"give schema id {id} of a value{WireFormat.On(context.Topic)}", id);
        }
        catch (Exception e) when (e is not (HttpRequestException or OperationCanceledException or AvroSerdeException))
        {
            // Decoding the same bytes fails the same way every time. Whether the writer schema could ever be read as the
            // event's tells an incompatible schema from a damaged value.
            throw await UndecodableAsync(e, length, id, context);
        }
    }

    private async Task<AvroSerdeException> UndecodableAsync(Exception e, int length, int? id, SerializationContext context)
    {
        var (writer, problems) = id is { } known ? await WriterAsync(known) : ("a schema named by a record header", []);
        var name = typeof(TEvent).Name;
        return problems.Count > 0
            ? new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"A value{WireFormat.On(context.Topic)} written with schema id {id} ({writer}) cannot be read as {name} ({Schema.Fullname}): {string.Join("; ", problems)}", id)
            : new AvroSerdeException(AvroSerdeError.InvalidBody,
                $"The Avro body of a value{WireFormat.On(context.Topic)} with schema id {id} ({writer}, {Math.Max(length - WireFormat.HeaderSize, 0)} bytes) " +
                $"is truncated or corrupt for {name}: {e.Message}", id, e);
    }
}

/// <summary>An event's deserializer over its specific record <typeparamref name="TRecord"/>.</summary>
internal sealed class EventDeserializer<TEvent, TRecord> : EventDeserializer<TEvent>
    where TEvent : class
    where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
{
    private readonly AvroDeserializer<TRecord> _inner;
    private readonly ISchemaRegistryClient _registry;
    private readonly RecordSchema _schema = (RecordSchema)new TRecord().Schema;
    private readonly ConcurrentDictionary<int, (string, IReadOnlyList<string>)> _writers = new();

    public EventDeserializer(ISchemaRegistryClient registry)
    {
        _registry = registry;
        _inner = new AvroDeserializer<TRecord>(registry, SchemaRegistryOptions.DeserializerConfig());
    }

    public override RecordSchema Schema => _schema;

    private protected override Task<TEvent> DecodeAsync(ReadOnlyMemory<byte> data, SerializationContext context)
    {
        var decoding = InlineTaskScheduler.Run(() => _inner.DeserializeAsync(data, false, context));
        return decoding.IsCompletedSuccessfully ? Task.FromResult(decoding.Result.ToValue()) : MappedAsync(decoding);
    }

    private protected override async Task<(string Writer, IReadOnlyList<string> Problems)> WriterAsync(int id)
    {
        if (_writers.TryGetValue(id, out var known))
        {
            return known;
        }

        var registered = await _registry.GetSchemaBySubjectAndIdAsync(null, id);
        (string, IReadOnlyList<string>) writer;
        try
        {
            var parsed = Avro.Schema.Parse(registered.SchemaString);
            writer = (parsed is NamedSchema named ? named.Fullname : parsed.Tag.ToString(), AvroCompatibility.ReadProblems(_schema, parsed));
        }
        catch (SchemaParseException e)
        {
            writer = ($"a {registered.SchemaType} schema", [$"it is not an Avro schema Apache.Avro parses: {e.Message}"]);
        }

        return _writers.GetOrAdd(id, writer);
    }

    private static async Task<TEvent> MappedAsync(Task<TRecord> decoding) => (await decoding).ToValue();
}
