using System.Text.Json.Serialization;

namespace CinematicSwitch.SchemaRegistry.Server.Rest;

// The JSON bodies of the Confluent Schema Registry REST API (v1) as the development registry reads and writes
// them; Confluent's client and the tests speak the same shapes. Property names are the API's, which mixes
// camelCase and snake_case.

/// <summary>The media type of every request and response body.</summary>
public static class RegistryMediaTypes
{
    public const string V1 = "application/vnd.schemaregistry.v1+json";
    public const string Generic = "application/vnd.schemaregistry+json";
    public const string Json = "application/json";
}

/// <summary>A schema that another schema refers to by name. This project's schemas use none; the field exists
/// so that requests from other clients are read, and refused with a clear message.</summary>
public sealed record SchemaReference(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version);

/// <summary>Body of <c>POST /subjects/{subject}/versions</c>, <c>POST /subjects/{subject}</c> and the compatibility checks.</summary>
public sealed record SchemaRequest(
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("schemaType")] string? SchemaType = null,
    [property: JsonPropertyName("references")] IReadOnlyList<SchemaReference>? References = null);

/// <summary>Answer to a registration.</summary>
public sealed record RegisterResponse([property: JsonPropertyName("id")] int Id);

/// <summary>A schema version of a subject (<c>GET /subjects/{subject}/versions/{version}</c>, lookups).
/// <see cref="SchemaType"/> is omitted for AVRO, as the API does.</summary>
public sealed record SubjectSchemaResponse(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("schemaType")] string? SchemaType = null);

/// <summary>Answer to <c>GET /schemas/ids/{id}</c>.</summary>
public sealed record SchemaByIdResponse(
    [property: JsonPropertyName("schema")] string Schema,
    [property: JsonPropertyName("schemaType")] string? SchemaType = null);

/// <summary>An element of <c>GET /schemas/ids/{id}/versions</c>.</summary>
public sealed record SubjectVersion(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("version")] int Version);

/// <summary>Answer to the compatibility checks; <see cref="Messages"/> only with <c>verbose=true</c>.</summary>
public sealed record CompatibilityResponse(
    [property: JsonPropertyName("is_compatible")] bool IsCompatible,
    [property: JsonPropertyName("messages")] IReadOnlyList<string>? Messages = null);

/// <summary>Answer to <c>GET /config</c>, <c>GET /config/{subject}</c> and the config deletions.</summary>
public sealed record ConfigResponse([property: JsonPropertyName("compatibilityLevel")] string CompatibilityLevel);

/// <summary>Body of, and answer to, <c>PUT /config</c> and <c>PUT /config/{subject}</c>.</summary>
public sealed record ConfigUpdate([property: JsonPropertyName("compatibility")] string? Compatibility);

/// <summary>Body of, and answer to, the <c>/mode</c> resources.</summary>
public sealed record ModeBody([property: JsonPropertyName("mode")] string? Mode);

/// <summary>Every error: an HTTP status and a Confluent error code (see <see cref="RegistryErrorCodes"/>).</summary>
public sealed record ErrorResponse(
    [property: JsonPropertyName("error_code")] int ErrorCode,
    [property: JsonPropertyName("message")] string Message);

/// <summary>Source-generated JSON for the REST bodies: no reflection on either side.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SchemaRequest))]
[JsonSerializable(typeof(RegisterResponse))]
[JsonSerializable(typeof(SubjectSchemaResponse))]
[JsonSerializable(typeof(SchemaByIdResponse))]
[JsonSerializable(typeof(List<SubjectVersion>))]
[JsonSerializable(typeof(CompatibilityResponse))]
[JsonSerializable(typeof(ConfigResponse))]
[JsonSerializable(typeof(ConfigUpdate))]
[JsonSerializable(typeof(ModeBody))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(int))]
public sealed partial class RegistryJson : JsonSerializerContext;
