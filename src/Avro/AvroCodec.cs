using System.Buffers;
using System.Collections.Concurrent;
using CinematicSwitch.Avro.Binary;
using CinematicSwitch.Avro.Codec;
using CinematicSwitch.Avro.Resolution;

namespace CinematicSwitch.Avro;

/// <summary>
/// Typed records to and from Avro binary. The mapping between <typeparamref name="T"/> and the record schema is
/// checked in the constructor (every field has a property of a compatible type and every property has a field),
/// and the serializer and deserializers are compiled once: encoding and decoding make no intermediate values.
/// Field names are snake_case in the schema and PascalCase in C# unless <see cref="AvroFieldAttribute"/> says
/// otherwise; enum symbols are UPPER_SNAKE unless <see cref="AvroSymbolAttribute"/> says otherwise.
/// </summary>
public sealed class AvroCodec<T>
{
    private readonly RecordBinding _binding;
    private readonly Action<AvroEncoder, T> _write;
    private readonly Func<AvroDecoder, T> _read;
    private readonly ConcurrentDictionary<Schema, Func<AvroDecoder, T>> _byWriterInstance = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<string, Func<AvroDecoder, T>> _byWriterCanonicalForm = new(StringComparer.Ordinal);

    /// <exception cref="AvroMappingException"><typeparamref name="T"/> and the schema differ; the message lists every difference.</exception>
    public AvroCodec(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (schema is not RecordSchema record)
        {
            throw new AvroMappingException($"{Naming.Describe(typeof(T))} needs a record schema, not {schema.ToJson()}");
        }

        Schema = schema;
        _binding = TypeBinder.Bind(record, typeof(T));
        _write = CodecCompiler.CompileWriter<T>(_binding);
        _read = CodecCompiler.CompileReader<T>(Resolver.Resolve(schema, schema).PlanOrThrow(), _binding);
        _byWriterInstance[schema] = _read;
    }

    public Schema Schema { get; }

    public void Serialize(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var encoder = AvroEncoder.Rent();
        try
        {
            _write(encoder, value ?? throw new ArgumentNullException(nameof(value)));
            output.Write(encoder.WrittenSpan);
        }
        finally
        {
            AvroEncoder.Return(encoder);
        }
    }

    public byte[] Serialize(T value)
    {
        var encoder = AvroEncoder.Rent();
        try
        {
            _write(encoder, value ?? throw new ArgumentNullException(nameof(value)));
            return encoder.ToArray();
        }
        finally
        {
            AvroEncoder.Return(encoder);
        }
    }

    /// <summary>Decodes data written with <see cref="Schema"/>.</summary>
    public T Deserialize(ReadOnlySpan<byte> data) => AvroDecoder.Decode(data, _read);

    /// <summary>Decodes data written with <paramref name="writerSchema"/>, resolving it against <see cref="Schema"/>.
    /// The decoder for each writer schema is compiled once and cached.</summary>
    /// <exception cref="AvroResolutionException">This schema cannot read what the writer schema writes.</exception>
    public T Deserialize(ReadOnlySpan<byte> data, Schema writerSchema) => AvroDecoder.Decode(data, ReaderFor(writerSchema));

    private Func<AvroDecoder, T> ReaderFor(Schema writerSchema)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        if (_byWriterInstance.TryGetValue(writerSchema, out var read))
        {
            return read;
        }

        // The canonical form holds everything about a writer schema that decoding depends on.
        read = _byWriterCanonicalForm.GetOrAdd(writerSchema.ToCanonicalForm(),
            static (_, state) => CodecCompiler.CompileReader<T>(Resolver.Resolve(state.Schema, state.Writer).PlanOrThrow(), state.Binding),
            (Schema, Writer: writerSchema, Binding: _binding));
        _byWriterInstance.TryAdd(writerSchema, read);
        return read;
    }
}
