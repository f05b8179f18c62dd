using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.Streaming.Clients;

/// <summary>How to reach the cluster. Bound from the "Kafka" configuration section.</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated host:port list.</summary>
    [Required(AllowEmptyStrings = false)]
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prepended to every topic name, e.g. "staging.", so environments can share a cluster. Empty by default.</summary>
    [RegularExpression("^[A-Za-z0-9._-]*$", ErrorMessage = "Kafka:TopicPrefix may only contain letters, digits, '.', '_' and '-'.")]
    public string TopicPrefix { get; set; } = "";

    [Required(AllowEmptyStrings = false)]
    public string ClientId { get; set; } = "cinematic-switch";

    /// <summary>PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.</summary>
    [RegularExpression("^(PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL)$", ErrorMessage = "Kafka:SecurityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")]
    public string SecurityProtocol { get; set; } = "PLAINTEXT";

    /// <summary>PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI, when SASL is used.</summary>
    // Checked at startup: a misspelt mechanism would otherwise only fail when the first client is built, unnamed.
    [RegularExpression("^(?i:PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER|GSSAPI)$",
        ErrorMessage = "Kafka:SaslMechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI.")]
    public string? SaslMechanism { get; set; }

    public string? SaslUsername { get; set; }

    public string? SaslPassword { get; set; }

    /// <summary>A CA bundle file for brokers' TLS certificates.</summary>
    public string? SslCaLocation { get; set; }

    /// <summary>
    /// The consumer group protocol: "classic" (JoinGroup/SyncGroup with cooperative-sticky assignment, every Kafka
    /// version) or "consumer" (KIP-848: the broker assigns and rebalances incrementally; Apache Kafka 4.0 and later,
    /// Confluent Platform 8.0 and later). Under "consumer" the session and the heartbeat are the brokers'
    /// (group.consumer.session.timeout.ms and group.consumer.heartbeat.interval.ms): <see cref="SessionTimeoutMs"/> and
    /// <see cref="HeartbeatIntervalMs"/> must then state them, since the ownership leases are derived from them.
    /// </summary>
    [RegularExpression("^(classic|consumer)$", ErrorMessage = "Kafka:GroupProtocol must be classic or consumer.")]
    public string GroupProtocol { get; set; } = "classic";

    /// <summary>
    /// The consumer session timeout: how long after a member's last heartbeat the group gives its partitions to another
    /// member, so a dead member's partitions move after about this long. Shorter moves them sooner, and expels a member
    /// that cannot heartbeat for that long (a GC pause, a frozen VM, a coordinator moving). Set on the client under
    /// "classic"; under "consumer" the brokers' value, stated here. The embedded cluster's classic coordinator also
    /// waits about this long for members to rejoin during a rebalance.
    /// </summary>
    [Range(1000, 300000)]
    public int SessionTimeoutMs { get; set; } = 10000;

    /// <summary>
    /// How often members heartbeat: set on the client under "classic", the brokers' value under "consumer". Unset: a
    /// fifth of <see cref="SessionTimeoutMs"/>, at least 250 ms. At most a third of the session, so that a member misses
    /// more than one heartbeat before it is expelled.
    /// </summary>
    [Range(100, 100000)]
    public int? HeartbeatIntervalMs { get; set; }

    /// <summary>
    /// How producers compress: none, gzip, snappy, lz4 or zstd. None by default: values are small Avro records (media never
    /// travels through Kafka), so compression saves little, and of the codecs that pay off only gzip is read by every
    /// stock client without a plug-in (kafkajs reads lz4, snappy and zstd only with extra codec packages).
    /// </summary>
    [RegularExpression("^(none|gzip|snappy|lz4|zstd)$", ErrorMessage = "Kafka:CompressionType must be none, gzip, snappy, lz4 or zstd.")]
    public string CompressionType { get; set; } = "none";

    /// <summary>
    /// How long a broker may hold a fetch while it has no new data (librdkafka's fetch.wait.max.ms, 500 by default).
    /// The embedded cluster does not answer a held fetch when data arrives, so its stack sets this low to keep each
    /// hop's latency down; a real broker answers at once and the default is right.
    /// </summary>
    [Range(0, 300000)]
    public int FetchWaitMaxMs { get; set; } = 500;

    /// <summary>Any further librdkafka properties, passed through as they are (e.g. "ssl.endpoint.identification.algorithm").</summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The real name of a topic of the contract under this prefix.</summary>
    public string Topic(string contractName) => TopicPrefix + contractName;

    /// <summary>The heartbeat interval in force: <see cref="HeartbeatIntervalMs"/> or its default.</summary>
    public TimeSpan HeartbeatInterval() => TimeSpan.FromMilliseconds(HeartbeatIntervalMs ?? Math.Max(250, SessionTimeoutMs / 5));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval() > TimeSpan.FromMilliseconds(SessionTimeoutMs) / 3)
        {
            yield return new ValidationResult(
                $"Kafka:HeartbeatIntervalMs ({HeartbeatInterval().TotalMilliseconds} ms) must be at most a third of Kafka:SessionTimeoutMs ({SessionTimeoutMs} ms).",
                [nameof(HeartbeatIntervalMs)]);
        }
    }
}
