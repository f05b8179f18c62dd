using System.CommandLine;
using CinematicSwitch.Ops.Connection;

namespace CinematicSwitch.Ops.Cli;

/// <summary>Options every command takes: where the cluster and the registry are, and how to print.</summary>
internal sealed class GlobalOptions
{
    private readonly (Option<string?> Option, string Key)[] _settings;

    public GlobalOptions()
    {
        _settings =
        [
            (Text("--bootstrap-servers", "Kafka bootstrap servers, host:port[,host:port] (env Kafka__BootstrapServers).", "-b"), "Kafka:BootstrapServers"),
            (Text("--topic-prefix", "Prefix of every topic name, e.g. \"staging.\" (env Kafka__TopicPrefix)."), "Kafka:TopicPrefix"),
            (Text("--security-protocol", "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL (env Kafka__SecurityProtocol)."), "Kafka:SecurityProtocol"),
            (Text("--sasl-mechanism", "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (env Kafka__SaslMechanism)."), "Kafka:SaslMechanism"),
            (Text("--sasl-username", "SASL user name (env Kafka__SaslUsername)."), "Kafka:SaslUsername"),
            (Text("--sasl-password", "SASL password; prefer the environment variable Kafka__SaslPassword, which process lists do not show."), "Kafka:SaslPassword"),
            (Text("--ssl-ca-location", "CA bundle for the brokers' certificates (env Kafka__SslCaLocation)."), "Kafka:SslCaLocation"),
            (Text("--schema-registry", "Schema registry URL (env SchemaRegistry__Url)."), "SchemaRegistry:Url"),
            (Text("--schema-registry-auth", "Registry basic auth as user:password; prefer SchemaRegistry__BasicAuthUserInfo."), "SchemaRegistry:BasicAuthUserInfo"),
            (Text("--processor-group", $"The processor's consumer group (env Processor__Stream__GroupId; default {OpsSettings.DefaultProcessorGroup})."), "Processor:Stream:GroupId"),
            (Text("--archiver-group", $"The archiver's consumer group (env Archiver__Stream__GroupId; default {OpsSettings.DefaultArchiverGroup})."), "Archiver:Stream:GroupId"),
        ];

        KafkaProperties.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.IndexOf('=', StringComparison.Ordinal) <= 0))
            {
                result.AddError($"--kafka-property expects key=value, not '{token.Value}'.");
            }
        });
    }

    public Option<string?> Endpoints { get; } = new("--endpoints")
    {
        Description = $"The embedded stack's endpoints file; by default {OpsSettings.EndpointsPath} here or above, used when no bootstrap servers are configured.",
        Recursive = true,
    };

    public Option<bool> Embedded { get; } = new("--embedded")
    {
        Description = "The cluster given by options is the embedded broker (librdkafka's mock cluster: no CreateTopics, no DescribeConfigs).",
        Recursive = true,
    };

    public Option<string[]> KafkaProperties { get; } = new("--kafka-property", "-X")
    {
        Description = "A librdkafka property passed through as it is, key=value (repeatable; env Kafka__Properties__<key>).",
        Recursive = true,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write results as JSON (for scripts).", Recursive = true };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log client warnings and details to standard error.", Recursive = true };

    public void AddTo(Command root) => root.AddAll([.. _settings.Select(s => (Option)s.Option), KafkaProperties, Endpoints, Embedded, Json, Verbose]);

    public ConnectionInput Read(ParseResult result)
    {
        var settings = _settings
            .Select(s => (s.Key, Value: result.GetValue(s.Option)))
            .Where(s => !string.IsNullOrEmpty(s.Value))
            .ToDictionary(s => s.Key, s => s.Value!, StringComparer.OrdinalIgnoreCase);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (result.GetValue(KafkaProperties) ?? []).Select(p => p.Split('=', 2)))
        {
            // As with librdkafka's own -X, a property given twice takes its last value.
            properties[pair[0].Trim()] = pair[1].Trim();
        }

        return new ConnectionInput(settings, properties, result.GetValue(Endpoints), result.GetValue(Embedded), result.GetValue(Verbose));
    }

    private static Option<string?> Text(string name, string description, params string[] aliases) =>
        new(name, aliases) { Description = description, Recursive = true };
}
