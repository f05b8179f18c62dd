using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry.Rest;
using Confluent.Kafka;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Writes <typeparamref name="T"/> records in the Confluent wire format under the TopicNameStrategy. The schema
/// id of each subject is resolved once (registered, looked up, or the latest version, as configured); after that
/// a value costs one Avro encoding and one array for the result, with no call to the registry.
/// </summary>
public sealed class AvroSerializer<T> : ISerializer<T>, IAsyncSerializer<T>
    where T : class
{
    private const int MaxKeptBuffer = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private readonly ISchemaRegistryClient _registry;
    private readonly AvroCodec<T> _codec;
    private readonly string _schemaJson;
    private readonly SchemaRegistryOptions _options;
    private readonly ConcurrentDictionary<(string Topic, MessageComponentType Component), Binding> _bindings = new();
    private readonly ConcurrentDictionary<int, AvroCodec<T>> _latestCodecs = new();
    private Binding? _last;

    public AvroSerializer(ISchemaRegistryClient registry, AvroCodec<T> codec, SchemaRegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(options);
        _registry = registry;
        _codec = codec;
        _schemaJson = codec.Schema.ToJson();
        _options = options;
    }

    /// <summary>The record schema this serializer registers (or looks up).</summary>
    public Schema Schema => _codec.Schema;

    /// <summary>Encodes <paramref name="value"/> for <paramref name="topic"/>'s value subject. Completes synchronously
    /// once the subject's schema id is known.</summary>
    public ValueTask<byte[]> SerializeAsync(T value, string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var binding = Cached(topic, MessageComponentType.Value);
        return binding is null ? SerializeSlowAsync(value, topic, MessageComponentType.Value, cancellationToken) : new ValueTask<byte[]>(Encode(value, binding));
    }

    /// <summary>
    /// Resolves the schema id of <paramref name="topic"/>'s value subject now (registered, looked up or the latest, as
    /// configured), so that the first record does not wait for the registry. Returns the id.
    /// </summary>
    public async Task<int> PrepareAsync(string topic, CancellationToken cancellationToken = default) =>
        (Cached(topic, MessageComponentType.Value) ?? await ResolveAsync(topic, MessageComponentType.Value, cancellationToken)).Id;

    /// <summary>Confluent.Kafka's asynchronous serializer; a null value is a null (tombstone) record.</summary>
    public Task<byte[]> SerializeAsync(T data, SerializationContext context)
    {
        if (data is null)
        {
            return Task.FromResult<byte[]>(null!);
        }

        var binding = Cached(context.Topic, context.Component);
        return binding is null
            ? SerializeSlowAsync(data, context.Topic, context.Component, CancellationToken.None).AsTask()
            : Task.FromResult(Encode(data, binding));
    }

    /// <summary>Confluent.Kafka's synchronous serializer. The first value of a subject waits for the registry.</summary>
    public byte[] Serialize(T data, SerializationContext context)
    {
        if (data is null)
        {
            return null!;
        }

        var binding = Cached(context.Topic, context.Component)
            ?? ResolveAsync(context.Topic, context.Component, CancellationToken.None).GetAwaiter().GetResult();
        return Encode(data, binding);
    }

    private async ValueTask<byte[]> SerializeSlowAsync(T value, string topic, MessageComponentType component, CancellationToken cancellationToken) =>
        Encode(value, await ResolveAsync(topic, component, cancellationToken));

    private Binding? Cached(string topic, MessageComponentType component)
    {
        // Producers pass the same topic string with every record: a reference check skips the hashing.
        var last = _last;
        if (last is not null && ReferenceEquals(last.Topic, topic) && last.Component == component && !last.IsExpired)
        {
            return last;
        }

        if (_bindings.TryGetValue((topic, component), out var binding) && !binding.IsExpired)
        {
            _last = binding;
            return binding;
        }

        return null;
    }

    private static byte[] Encode(T value, Binding binding)
    {
        // One buffer per thread holds header and body, so the result array is the only allocation.
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(1024);
        t_buffer = null;
        try
        {
            buffer.ResetWrittenCount();
            WireFormat.WriteHeader(buffer.GetSpan(WireFormat.HeaderSize), binding.Id);
            buffer.Advance(WireFormat.HeaderSize);
            binding.Codec.Serialize(value, buffer);
            return buffer.WrittenSpan.ToArray();
        }
        catch (AvroException e)
        {
            throw new AvroSerdeException(AvroSerdeError.InvalidBody,
                $"A {typeof(T).Name} cannot be encoded with schema id {binding.Id} of {binding.Subject}: {e.Message}", binding.Id, e);
        }
        finally
        {
            if (buffer.Capacity <= MaxKeptBuffer)
            {
                t_buffer = buffer;
            }
        }
    }

    private async Task<Binding> ResolveAsync(string topic, MessageComponentType component, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var subject = WireFormat.Subject(topic, component);
        Binding binding;
        try
        {
            if (_options.UseLatestVersion)
            {
                var latest = await _registry.GetLatestSchemaAsync(subject, cancellationToken);
                binding = new Binding(topic, component, subject, latest.Id, CodecFor(latest),
                    Environment.TickCount64 + (_options.LatestCacheTtlSeconds * 1000L));
            }
            else
            {
                var id = _options.AutoRegisterSchemas
                    ? await _registry.RegisterSchemaAsync(subject, _schemaJson, cancellationToken)
                    : (await _registry.LookupSchemaAsync(subject, _schemaJson, cancellationToken)).Id;
                binding = new Binding(topic, component, subject, id, _codec, long.MaxValue);
            }
        }
        catch (SchemaRegistryException e) when (e.Status == HttpStatusCode.Conflict)
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"The schema of {typeof(T).Name} ({Schema.DisplayName}) is incompatible with the versions registered under {subject}: {e.Message}",
                innerException: e);
        }
        catch (SchemaRegistryException e) when (e.ErrorCode is RegistryErrorCodes.SubjectNotFound or RegistryErrorCodes.SchemaNotFound or RegistryErrorCodes.VersionNotFound)
        {
            throw new AvroSerdeException(AvroSerdeError.SchemaNotRegistered, _options.UseLatestVersion
                ? $"{subject} has no registered version to write {typeof(T).Name} with (SchemaRegistry:UseLatestVersion is on): {e.Message}"
                : $"The schema of {typeof(T).Name} ({Schema.DisplayName}, fingerprint {Schema.Fingerprint64():x16}) is not registered under {subject} " +
                  $"and SchemaRegistry:AutoRegisterSchemas is off: register it first. {e.Message}", innerException: e);
        }

        _bindings[(topic, component)] = binding;
        _last = binding;
        return binding;
    }

    /// <summary>A codec that writes <typeparamref name="T"/> with the subject's latest schema (compiled once per id).</summary>
    private AvroCodec<T> CodecFor(RegisteredSchema latest) => _latestCodecs.GetOrAdd(latest.Id, _ =>
    {
        if (!string.Equals(latest.SchemaType, "AVRO", StringComparison.OrdinalIgnoreCase))
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"The latest version {latest.Version} of {latest.Subject} is a {latest.SchemaType} schema, not Avro.", latest.Id);
        }

        try
        {
            var schema = Schema.Parse(latest.Schema);
            return schema.ToCanonicalForm() == _codec.Schema.ToCanonicalForm() ? _codec : new AvroCodec<T>(schema);
        }
        catch (AvroException e)
        {
            throw new AvroSerdeException(AvroSerdeError.IncompatibleSchema,
                $"{typeof(T).Name} cannot be written with the latest version {latest.Version} (id {latest.Id}) of {latest.Subject}: {e.Message}", latest.Id, e);
        }
    });

    private sealed class Binding(string topic, MessageComponentType component, string subject, int id, AvroCodec<T> codec, long expiresAt)
    {
        public string Topic { get; } = topic;
        public MessageComponentType Component { get; } = component;
        public string Subject { get; } = subject;
        public int Id { get; } = id;
        public AvroCodec<T> Codec { get; } = codec;
        public bool IsExpired => expiresAt != long.MaxValue && Environment.TickCount64 >= expiresAt;
    }
}
