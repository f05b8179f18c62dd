using System.Collections.Concurrent;
using System.Net;
using Avro;
using CinematicSwitch.Contracts;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using RegistrySchema = Confluent.SchemaRegistry.Schema;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Writes an event in the Confluent wire format under the TopicNameStrategy with Confluent's
/// <see cref="AvroSerializer{T}"/>, through the event's specific record (Contracts, Records/). Failures that retrying
/// cannot mend become an <see cref="AvroSerdeException"/>; an unreachable or failing registry stays a retriable
/// <see cref="HttpRequestException"/>. A null value is a null (tombstone) record.
/// </summary>
public abstract class EventSerializer<TEvent> : IAsyncSerializer<TEvent>, ISerializer<TEvent>
    where TEvent : class
{
    private protected EventSerializer()
    {
    }

    /// <summary>The Avro schema the serializer registers (or looks up): the event's .avsc.</summary>
    public abstract RecordSchema Schema { get; }

    /// <summary>Confluent.Kafka's asynchronous serializer. Completes synchronously once the subject's schema id is known.</summary>
    public Task<byte[]> SerializeAsync(TEvent data, SerializationContext context)
    {
        if (data is null)
        {
            return Task.FromResult<byte[]>(null!);
        }

        Task<byte[]> encoding;
        try
        {
            encoding = EncodeAsync(data, context);
        }
        catch (Exception e) when (Refusal(e, context) is { } refusal)
        {
            return Task.FromException<byte[]>(refusal);
        }

        return encoding.IsCompletedSuccessfully ? encoding : ClassifiedAsync(encoding, context);
    }

    /// <summary>Confluent.Kafka's synchronous serializer. The first value of a subject waits for the registry.</summary>
    public byte[] Serialize(TEvent data, SerializationContext context) => SerializeAsync(data, context).GetAwaiter().GetResult();

    /// <summary>Encodes <paramref name="value"/> for <paramref name="topic"/>'s value subject.</summary>
    public Task<byte[]> SerializeAsync(TEvent value, string topic, CancellationToken cancellationToken = default) =>
        SerializeAsync(value, new SerializationContext(MessageComponentType.Value, topic)).WaitAsync(cancellationToken);

    /// <summary>
    /// Resolves the schema id of <paramref name="topic"/>'s value subject now (registered, looked up or the latest, as
    /// configured), so that the first record does not wait for the registry: the serializer's first value then finds
    /// it in the shared client's cache. Returns the id.
    /// </summary>
    public async Task<int> PrepareAsync(string topic, CancellationToken cancellationToken = default)
    {
        var context = new SerializationContext(MessageComponentType.Value, topic);
        try
        {
            return await ResolveAsync(WireFormat.Subject(topic)).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (Refusal(e, context) is { } refusal)
        {
            throw refusal;
        }
    }

    private protected abstract Task<byte[]> EncodeAsync(TEvent value, SerializationContext context);

    private protected abstract Task<int> ResolveAsync(string subject);

    private protected abstract string RegistrationHint { get; }

    /// <summary>Whether the serializer finds its schema id in the registry rather than registering its schema.</summary>
    private protected abstract bool LooksUpSchema { get; }

    private async Task<byte[]> ClassifiedAsync(Task<byte[]> encoding, SerializationContext context)
    {
        try
        {
            return await encoding;
        }
        catch (Exception e) when (Refusal(e, context) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>The non-retriable failure <paramref name="e"/> stands for; null for a retriable one (let through).</summary>
    private AvroSerdeException? Refusal(Exception e, SerializationContext context)
    {
        var subject = WireFormat.Subject(context.Topic, context.Component);
        var name = typeof(TEvent).Name;
        return e switch
        {
            AvroSerdeException => null,
            SchemaRegistryException { Status: HttpStatusCode.Conflict } registry => new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"The schema of {name} ({Schema.Fullname}) is incompatible with the versions registered under {subject}: {registry.Message}")
            {
                Status = registry.Status,
                RegistryErrorCode = registry.ErrorCode,
            },
            SchemaRegistryException { Status: HttpStatusCode.NotFound } registry when LooksUpSchema => new AvroSerdeException(AvroSerdeError.SchemaNotRegistered,
                $"The schema of {name} ({Schema.Fullname}, fingerprint {SchemaNormalization.ParsingFingerprint64(Schema):x16}) is not registered under {subject} " +
                $"and {RegistrationHint}: {registry.Message}")
            {
                Status = registry.Status,
                RegistryErrorCode = registry.ErrorCode,
            },
            SchemaRegistryException registry when RegistryFailures.IsRefusal(registry) => RegistryFailures.Refused(registry, $"resolve the schema of {name} under {subject}"),
            AvroException or ArgumentException or InvalidCastException or OverflowException or FormatException =>
                new AvroSerdeException(AvroSerdeError.InvalidBody, $"A {name} cannot be encoded for {subject}: {e.Message}", innerException: e),
            _ => null,
        };
    }
}

/// <summary>An event's serializer over its specific record <typeparamref name="TRecord"/>.</summary>
internal sealed class EventSerializer<TEvent, TRecord> : EventSerializer<TEvent>
    where TEvent : class
    where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
{
    private readonly AvroSerializer<TRecord> _inner;
    private readonly ISchemaRegistryClient _registry;
    private readonly SchemaRegistryOptions _options;
    private readonly RecordSchema _schema = (RecordSchema)new TRecord().Schema;

    // With UseLatestVersion, the latest versions checked to be this event's schema, by id.
    private readonly ConcurrentDictionary<int, string?> _latestChecked = new();

    public EventSerializer(ISchemaRegistryClient registry, SchemaRegistryOptions options)
    {
        _registry = registry;
        _options = options;
        _inner = new AvroSerializer<TRecord>(registry, options.SerializerConfig());
    }

    public override RecordSchema Schema => _schema;

    private protected override string RegistrationHint => _options.UseLatestVersion
        ? "SchemaRegistry:UseLatestVersion is on: the subject needs a version to write with"
        : "SchemaRegistry:AutoRegisterSchemas is off: register it first";

    private protected override bool LooksUpSchema => !_options.AutoRegisterSchemas || _options.UseLatestVersion;

    private protected override Task<byte[]> EncodeAsync(TEvent value, SerializationContext context)
    {
        var record = TRecord.From(value);
        return _options.UseLatestVersion ? EncodeWithLatestAsync(record, context) : InlineTaskScheduler.Run(() => _inner.SerializeAsync(record, context));
    }

    private protected override async Task<int> ResolveAsync(string subject)
    {
        if (_options.UseLatestVersion)
        {
            return (await LatestAsync(subject)).Id;
        }

        // The same schema text and calls as Confluent's serializer, so that its first value finds them cached.
        var schema = new RegistrySchema(_schema.ToString(), [], SchemaType.Avro);
        return _options.AutoRegisterSchemas
            ? (await _registry.RegisterSchemaWithResponseAsync(subject, schema)).Id
            : (await _registry.LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: true)).Id;
    }

    private async Task<byte[]> EncodeWithLatestAsync(TRecord record, SerializationContext context)
    {
        await LatestAsync(WireFormat.Subject(context.Topic, context.Component));
        return await InlineTaskScheduler.Run(() => _inner.SerializeAsync(record, context));
    }

    /// <summary>
    /// The subject's latest version, refused unless it is this event's schema: Confluent's serializer stamps values with
    /// the latest id but writes them with the record's own schema, which readers would then misread.
    /// </summary>
    private async Task<RegisteredSchema> LatestAsync(string subject)
    {
        var latest = await _registry.GetLatestSchemaAsync(subject);
        var difference = _latestChecked.GetOrAdd(latest.Id, _ => Difference(latest));
        return difference is null
            ? latest
            : throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"The latest version {latest.Version} (id {latest.Id}) of {subject} is not the schema of {typeof(TEvent).Name}, which SchemaRegistry:UseLatestVersion " +
                $"needs (values are written with the event's own schema): {difference}", latest.Id);
    }

    private string? Difference(RegisteredSchema latest)
    {
        if (latest.SchemaType != SchemaType.Avro)
        {
            return $"it is a {latest.SchemaType} schema";
        }

        try
        {
            var parsed = Avro.Schema.Parse(latest.SchemaString);
            return SchemaNormalization.ToParsingForm(parsed) == SchemaNormalization.ToParsingForm(_schema)
                ? null
                : "their canonical forms differ: " + string.Join("; ", AvroCompatibility.ReadProblems(parsed, _schema).DefaultIfEmpty("fields or their order differ"));
        }
        catch (SchemaParseException e)
        {
            return "it does not parse: " + e.Message;
        }
    }
}
