using System.ComponentModel.DataAnnotations;
using CinematicSwitch.Contracts;

namespace CinematicSwitch.Skills.Client;

/// <summary>Where the pipeline is and whom the client acts for (README.md, "Configuration").</summary>
public sealed class SkillClientOptions : IValidatableObject
{
    public const string SectionName = "SkillClient";

    /// <summary>The tenant the skill works for: requests are keyed by it, and only its outcomes are read.</summary>
    [Required]
    public string TenantId { get; set; } = "";

    [Required]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prepended to every topic name, as the services' <c>Kafka:TopicPrefix</c>.</summary>
    public string TopicPrefix { get; set; } = "";

    [Required]
    public string SchemaRegistryUrl { get; set; } = "";

    /// <summary>"user:password" for a registry that wants basic authentication.</summary>
    public string? SchemaRegistryBasicAuthUserInfo { get; set; }

    /// <summary>Register the request's schema when the registry lacks it (Confluent's default); off where CI registers schemas.</summary>
    public bool AutoRegisterSchemas { get; set; } = true;

    /// <summary>
    /// How far back outcomes are read at start: a restarted client finds the outcomes published while it was away,
    /// and a retry within this window finds its request instead of publishing it again. Also how long outcomes are
    /// remembered.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Lookback { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The client id the brokers see.</summary>
    public string ClientId { get; set; } = "cinematic-skills";

    /// <summary>Further librdkafka settings (security.protocol, sasl.*, ssl.*), applied to the producer and the consumer.</summary>
    public Dictionary<string, string> KafkaProperties { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TenantId.Contains('\n', StringComparison.Ordinal))
        {
            // The request id is derived from "tenant\nkey" (RequestIds): a newline would make two pairs one name.
            yield return new ValidationResult("TenantId cannot contain a newline.", [nameof(TenantId)]);
        }

        if (!Uri.TryCreate(SchemaRegistryUrl, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"SchemaRegistryUrl '{SchemaRegistryUrl}' is not an absolute URL.", [nameof(SchemaRegistryUrl)]);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming every problem.</summary>
    internal void ThrowIfInvalid()
    {
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), problems, validateAllProperties: true))
        {
            throw new ArgumentException($"{SectionName} is invalid: {string.Join("; ", problems.Select(p => p.ErrorMessage))}");
        }
    }

    internal string Topic(string contractName) => TopicPrefix + contractName;

    /// <summary>Topics the client reads its requests and their outcomes from.</summary>
    internal static IReadOnlyList<string> WatchedTopics { get; } =
        [Topics.Requested, Topics.Completed, Topics.Failed, Topics.Archived, Topics.CreditsRecorded];
}
