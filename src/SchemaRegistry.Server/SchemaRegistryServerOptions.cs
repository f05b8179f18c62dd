using System.ComponentModel.DataAnnotations;
using System.Net;
using CinematicSwitch.Streaming.Clients;

namespace CinematicSwitch.SchemaRegistry.Server;

/// <summary>The development registry's settings. The runnable host binds them from "SchemaRegistryServer" and the
/// Kafka connection from "Kafka" (the same section every service uses).</summary>
public sealed class SchemaRegistryServerOptions : IValidatableObject
{
    public const string SectionName = "SchemaRegistryServer";

    /// <summary>The address to listen on; loopback by default (a development registry has no access control
    /// beyond optional basic auth).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>8081 is the registry's customary port; 0 takes a free one (see <see cref="SchemaRegistryServer.Url"/>).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8081;

    /// <summary>The topic the schemas are kept in, under Kafka:TopicPrefix. One partition, compacted.</summary>
    [Required(AllowEmptyStrings = false)]
    [RegularExpression("^[A-Za-z0-9._-]+$", ErrorMessage = "SchemaRegistryServer:Topic may only contain letters, digits, '.', '_' and '-'.")]
    public string Topic { get; set; } = "_schemas";

    [Range(1, 7)]
    public short ReplicationFactor { get; set; } = 3;

    /// <summary>The global compatibility level until one is set through PUT /config.</summary>
    public string DefaultCompatibility { get; set; } = "BACKWARD";

    /// <summary>user → password. When any are given, every request needs HTTP basic authentication.</summary>
    public Dictionary<string, string> BasicAuthUsers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a write to, or the startup read of, the schemas topic may take.</summary>
    [Range(1000, 600000)]
    public int StoreTimeoutMs { get; set; } = 30000;

    public KafkaOptions Kafka { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(Host, out _))
        {
            yield return new ValidationResult("SchemaRegistryServer:Host must be an IP address (127.0.0.1, 0.0.0.0, ::1, ...).", [nameof(Host)]);
        }

        if (!CompatibilityLevels.TryParse(DefaultCompatibility, out _))
        {
            yield return new ValidationResult(
                $"SchemaRegistryServer:DefaultCompatibility must be one of {string.Join(", ", CompatibilityLevels.All)}.", [nameof(DefaultCompatibility)]);
        }

        if (BasicAuthUsers.Any(u => u.Key.Length == 0 || u.Key.Contains(':', StringComparison.Ordinal) || u.Value.Length == 0))
        {
            yield return new ValidationResult("SchemaRegistryServer:BasicAuthUsers needs non-empty user names without ':' and non-empty passwords.",
                [nameof(BasicAuthUsers)]);
        }
    }

    /// <summary>Validates these options and their Kafka options, for hosts that do not bind them from configuration.</summary>
    /// <exception cref="ValidationException">The first problem found.</exception>
    public void ThrowIfInvalid()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        Validator.ValidateObject(Kafka, new ValidationContext(Kafka), validateAllProperties: true);
    }
}
