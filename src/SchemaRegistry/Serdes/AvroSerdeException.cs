using System.Net;

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

    /// <summary>The Avro body is truncated or corrupt for its writer schema, or a value cannot be encoded.</summary>
    InvalidBody,

    /// <summary>The writer and reader schemas cannot be reconciled: the value's writer schema cannot be read as the
    /// event's, the registry refused the serializer's schema as incompatible, or the subject's latest schema is not
    /// the event's (with UseLatestVersion).</summary>
    IncompatibleSchema,

    /// <summary>Auto-registration is off and the serializer's schema is not registered under the subject.</summary>
    SchemaNotRegistered,

    /// <summary>The record has no value (a tombstone): events are never deleted, so there is nothing to decode.</summary>
    Tombstone,

    /// <summary>The registry refused the request for another reason (401, 403, 422, ...): see <see cref="AvroSerdeException.Status"/>
    /// and <see cref="AvroSerdeException.RegistryErrorCode"/>.</summary>
    RegistryRefused,
}

/// <summary>
/// A value that cannot be encoded or decoded, for a reason that retrying will not change: stream processors
/// dead-letter the record. An unreachable or failing registry (5xx, 408, 429) is not reported with this type: it
/// surfaces as Confluent's <see cref="HttpRequestException"/>, which is retried. Never carries such an exception as
/// its cause either, since the stream runtime retries a failure whose cause is retriable. Messages name the topic,
/// subject and schema id, never the value's content.
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

    /// <summary>The registry's answer, for <see cref="AvroSerdeError.RegistryRefused"/>, <see cref="AvroSerdeError.UnknownSchemaId"/>,
    /// <see cref="AvroSerdeError.SchemaNotRegistered"/> and a refused registration.</summary>
    public HttpStatusCode? Status { get; init; }

    /// <summary>The registry's error code (40403, 409, 42201, ...).</summary>
    public int? RegistryErrorCode { get; init; }
}
