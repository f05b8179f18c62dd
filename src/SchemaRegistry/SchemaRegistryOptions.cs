using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>How to reach the schema registry and how serializers use it. Bound from the "SchemaRegistry" section
/// (SchemaRegistry__Url, ...). Only the API common to Confluent, Karapace, Apicurio (ccompat) and Redpanda is used.</summary>
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

    /// <summary>Serializers write with the subject's latest registered schema (mapped onto their record type)
    /// instead of their own. Requires <see cref="AutoRegisterSchemas"/> off, as in Confluent's serializers.</summary>
    public bool UseLatestVersion { get; set; }

    /// <summary>How long a serializer keeps using the latest version it fetched before asking again.</summary>
    [Range(1, 86400)]
    public int LatestCacheTtlSeconds { get; set; } = 300;

    /// <summary>Time for a whole request (connect, send, answer); past it a <see cref="TimeoutException"/> is thrown.</summary>
    [Range(100, 300000)]
    public int RequestTimeoutMs { get; set; } = 10000;

    [Range(100, 300000)]
    public int ConnectTimeoutMs { get; set; } = 5000;

    /// <summary>Entries per client cache (by id, by schema, lookups) before it is emptied and refilled.</summary>
    [Range(10, 1000000)]
    public int MaxCachedSchemas { get; set; } = 1000;

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
