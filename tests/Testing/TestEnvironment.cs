namespace CinematicSwitch.Testing;

/// <summary>
/// Addresses of real infrastructure for the integration tests. Unset (the default) means the tests start
/// the embedded equivalents themselves.
/// </summary>
public static class TestEnvironment
{
    /// <summary>Bootstrap servers of a real Kafka cluster.</summary>
    public static string? KafkaBootstrapServers => Get("CINEMATIC_TEST_KAFKA_BOOTSTRAP_SERVERS");

    /// <summary>
    /// Where the tests' Kafka comes from when no bootstrap servers are given: "auto" (the default: a Testcontainers
    /// container when a Docker daemon answers, else the embedded cluster), "container" or "embedded".
    /// </summary>
    public static string KafkaSource => Get("CINEMATIC_TEST_KAFKA") ?? "auto";

    /// <summary>The image of the Testcontainers Kafka (default apache/kafka:4.1.0, as docker-compose.yml runs).</summary>
    public static string KafkaImage => Get("CINEMATIC_TEST_KAFKA_IMAGE") ?? "apache/kafka:4.1.0";

    /// <summary>Replication factor for topics created on a real cluster (default 1).</summary>
    public static short KafkaReplicationFactor => short.TryParse(Get("CINEMATIC_TEST_KAFKA_REPLICATION_FACTOR"), out var rf) ? rf : (short)1;

    /// <summary>URL of a real Schema Registry (Confluent, Karapace, Apicurio's ccompat API, Redpanda).</summary>
    public static string? SchemaRegistryUrl => Get("CINEMATIC_TEST_SCHEMA_REGISTRY_URL");

    /// <summary>An S3-compatible endpoint (MinIO, or https://s3.amazonaws.com with a region).</summary>
    public static string? S3Endpoint => Get("CINEMATIC_TEST_S3_ENDPOINT");

    public static string? S3AccessKey => Get("CINEMATIC_TEST_S3_ACCESS_KEY");

    public static string? S3SecretKey => Get("CINEMATIC_TEST_S3_SECRET_KEY");

    public static string S3Region => Get("CINEMATIC_TEST_S3_REGION") ?? "us-east-1";

    /// <summary>The seed of the chaos test's fault schedule, to replay a run (CINEMATIC_CHAOS_SEED); a new one each run when unset.</summary>
    public static int? ChaosSeed => int.TryParse(Get("CINEMATIC_CHAOS_SEED"), System.Globalization.NumberStyles.Integer,
        System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : null;

    private static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
