using System.ComponentModel.DataAnnotations;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>How to reach the schema registry and how serializers use it. Bound from the "SchemaRegistry" section
/// (SchemaRegistry__Url, ...) and handed to Confluent's client and serdes (<see cref="ClientConfig"/>,
/// <see cref="SerializerConfig"/>, <see cref="DeserializerConfig"/>).</summary>
public sealed class SchemaRegistryOptions : IValidatableObject
{
    public const string SectionName = "SchemaRegistry";

    /// <summary>Base URL, e.g. http://localhost:8081 (Apicurio: .../apis/ccompat/v7).</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "SchemaRegistry:Url is required.")]
    public string Url { get; set; } = "";

    /// <summary>"user:password" for HTTP basic authentication (Confluent Cloud: "key:secret"). A secret: never logged.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>Serializers register their schema under the topic's subject on first use. Off in production
    /// when schemas are registered by CI: serializers then look their schema up and fail if it is missing.</summary>
    public bool AutoRegisterSchemas { get; set; } = true;

    /// <summary>Serializers stamp values with the id of the subject's latest version (Confluent's use.latest.version):
    /// the record type's own schema must be that version's. Requires <see cref="AutoRegisterSchemas"/> off.</summary>
    public bool UseLatestVersion { get; set; }

    /// <summary>How long a fetched latest version is used before it is asked again.</summary>
    [Range(1, 86400)]
    public int LatestCacheTtlSeconds { get; set; } = 300;

    /// <summary>One attempt of a request, connecting included; Confluent's client tries a request up to three times.</summary>
    [Range(100, 300000)]
    public int RequestTimeoutMs { get; set; } = 10000;

    /// <summary>Schemas each of the client's caches holds before it is emptied and refilled.</summary>
    [Range(10, 1000000)]
    public int MaxCachedSchemas { get; set; } = 1000;

    /// <summary>Confluent's client configuration.</summary>
    public SchemaRegistryConfig ClientConfig() => new()
    {
        Url = Url,
        RequestTimeoutMs = RequestTimeoutMs,
        MaxCachedSchemas = MaxCachedSchemas,
        LatestCacheTtlSecs = LatestCacheTtlSeconds,
        BasicAuthUserInfo = string.IsNullOrEmpty(BasicAuthUserInfo) ? null : BasicAuthUserInfo,
        BasicAuthCredentialsSource = string.IsNullOrEmpty(BasicAuthUserInfo) ? null : AuthCredentialsSource.UserInfo,
    };

    /// <summary>The serializers' configuration: TopicNameStrategy (&lt;topic&gt;-value), registration as configured.</summary>
    public AvroSerializerConfig SerializerConfig() => new()
    {
        SubjectNameStrategy = SubjectNameStrategy.Topic,
        AutoRegisterSchemas = AutoRegisterSchemas,
        UseLatestVersion = UseLatestVersion,
    };

    /// <summary>The deserializers' configuration: the writer schema comes by the value's id, so no subject is needed
    /// (2.16's default strategy, Associated, would ask the registry for one).</summary>
    public static AvroDeserializerConfig DeserializerConfig() => new() { SubjectNameStrategy = SubjectNameStrategy.None };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("SchemaRegistry:Url must be an absolute http or https URL.", [nameof(Url)]);
        }
        else if (uri.UserInfo.Length > 0)
        {
            yield return new ValidationResult("SchemaRegistry:Url must not carry credentials: use SchemaRegistry:BasicAuthUserInfo.", [nameof(Url)]);
        }

        if (BasicAuthUserInfo is { Length: > 0 } userInfo && userInfo.IndexOf(':', StringComparison.Ordinal) <= 0)
        {
            // The value is a secret: the message says what is wrong without repeating it.
            yield return new ValidationResult("SchemaRegistry:BasicAuthUserInfo must be \"user:password\".", [nameof(BasicAuthUserInfo)]);
        }

        if (UseLatestVersion && AutoRegisterSchemas)
        {
            yield return new ValidationResult(
                "SchemaRegistry:UseLatestVersion needs SchemaRegistry:AutoRegisterSchemas=false (a serializer either registers its own schema or writes with the latest).",
                [nameof(UseLatestVersion), nameof(AutoRegisterSchemas)]);
        }
    }
}
