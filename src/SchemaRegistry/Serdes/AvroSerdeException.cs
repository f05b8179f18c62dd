namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>What went wrong when encoding or decoding a value in the Confluent wire format.</summary>
public enum AvroSerdeError
{
    /// <summary>The value is shorter than the 5-byte header (magic byte and schema id).</summary>
    TruncatedHeader,

    /// <summary>The first byte is not the wire format's magic byte 0.</summary>
    UnknownMagicByte,

    /// <summary>The registry does not know the schema id in the header.</summary>
    UnknownSchemaId,

    /// <summary>The Avro body is truncated or corrupt for its writer schema.</summary>
    InvalidBody,

    /// <summary>The writer and reader schemas cannot be reconciled: resolution fails, the registry refused the
    /// serializer's schema as incompatible, or the subject's latest schema does not fit the record type.</summary>
    IncompatibleSchema,

    /// <summary>Auto-registration is off and the serializer's schema is not registered under the subject.</summary>
    SchemaNotRegistered,
}

/// <summary>
/// A value that cannot be encoded or decoded, for a reason that retrying will not change: stream processors
/// dead-letter the record. An unreachable registry is not reported with this type (it surfaces as
/// <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>, which are retried).
/// Messages name the topic, subject and schema id, never the value's content.
/// </summary>
public sealed class AvroSerdeException : Exception
{
    public AvroSerdeException()
    {
    }

    public AvroSerdeException(string message)
        : base(message)
    {
    }

    public AvroSerdeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AvroSerdeException(AvroSerdeError kind, string message, int? schemaId = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        SchemaId = schemaId;
    }

    public AvroSerdeError Kind { get; }

    /// <summary>The schema id involved, when one was read or resolved.</summary>
    public int? SchemaId { get; }
}
