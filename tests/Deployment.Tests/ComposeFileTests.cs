using System.Text.Json;
using System.Text.RegularExpressions;
using CinematicSwitch.Testing;
using CinematicSwitch.Deployment.Tests.Support;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>docker-compose.yml as Debian's docker-compose 1.29 reads it: valid, complete, and with its secrets outside.</summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] Brokers = ["kafka-1", "kafka-2", "kafka-3"];

    [Fact]
    public async Task Docker_compose_accepts_the_file_with_the_example_environment_and_the_required_secrets()
    {
        var compose = await ComposeFile.LoadAsync();

        Assert.Equal(
            ["archiver", "ingest", "kafka-1", "kafka-2", "kafka-3", "minio", "minio-buckets", "processor", "schema-registry", "topology"],
            compose.ServiceNames.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("S3_SECRET_KEY")]
    [InlineData("REPLICATE_API_TOKEN")]
    [InlineData("INGEST_TENANT_API_KEY_SHA256")]
    public async Task Without_a_required_secret_the_file_is_refused_naming_it(string secret)
    {
        var variables = ComposeFile.Secrets.Where(kv => kv.Key != secret).ToDictionary();

        var result = await ComposeFile.ConfigAsync(ComposeFile.DefaultPath, variables);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"set {secret} in .env", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_are_variables_of_the_environment_never_values_in_the_file()
    {
        var compose = await ComposeFile.LoadAsync();
        var raw = await RawEnvironmentsAsync();
        var secrets = 0;
        foreach (var (service, environment) in raw)
        {
            foreach (var (name, value) in environment.Where(kv => SecretName().IsMatch(kv.Key)))
            {
                secrets++;
                // Written as ${VARIABLE} (required, or empty by default): the value comes from the environment (.env).
                Assert.Matches(@"^\$\{[A-Z0-9_]+(:\?[^}]*|:-)?\}$", value);
                var variable = Interpolated().Match(value).Groups["name"].Value;
                var resolved = compose.Environment(service)[name];
                Assert.Equal(ComposeFile.Secrets.GetValueOrDefault(variable, ""), resolved);
            }
        }

        // S3 secret (MinIO, buckets job, three services), Replicate, Runway and Leonardo keys.
        Assert.True(secrets >= 8, $"only {secrets} secret variables found");
    }

    [Fact]
    public async Task Kafka_is_three_kraft_nodes_with_replication_three_and_two_in_sync_replicas()
    {
        var compose = await ComposeFile.LoadAsync();
        var voters = new HashSet<string>();
        foreach (var broker in Brokers)
        {
            Assert.StartsWith("apache/kafka:", compose.Service(broker).GetProperty("image").GetString(), StringComparison.Ordinal);
            var environment = compose.Environment(broker);
            Assert.Equal("broker,controller", environment["KAFKA_PROCESS_ROLES"]);
            Assert.Equal("3", environment["KAFKA_DEFAULT_REPLICATION_FACTOR"]);
            Assert.Equal("2", environment["KAFKA_MIN_INSYNC_REPLICAS"]);
            Assert.Equal("3", environment["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"]);
            Assert.Equal("3", environment["KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"]);
            Assert.Equal("false", environment["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]);
            Assert.Contains($"INTERNAL://{broker}:9092", environment["KAFKA_ADVERTISED_LISTENERS"], StringComparison.Ordinal);
            voters.Add(environment["KAFKA_CONTROLLER_QUORUM_VOTERS"]);
            Assert.Contains($"@{broker}:9093", environment["KAFKA_CONTROLLER_QUORUM_VOTERS"], StringComparison.Ordinal);
        }

        Assert.Single(voters);
        Assert.Equal(Brokers.Length, Brokers.Select(b => compose.Environment(b)["KAFKA_NODE_ID"]).Distinct().Count());
        Assert.Equal("3", compose.Environment("topology")["Topology__ReplicationFactor"]);
        Assert.Equal("3", compose.Environment("schema-registry")["SCHEMA_REGISTRY_KAFKASTORE_TOPIC_REPLICATION_FACTOR"]);
        Assert.StartsWith("confluentinc/cp-schema-registry:", compose.Service("schema-registry").GetProperty("image").GetString(), StringComparison.Ordinal);
        foreach (var service in DeployedService.All)
        {
            Assert.Equal(string.Join(',', Brokers.Select(b => $"{b}:9092")), compose.Environment(service.ComposeName)["Kafka__BootstrapServers"]);
        }
    }

    [Fact]
    public async Task The_one_shot_jobs_create_the_buckets_and_apply_the_topology_with_the_ops_tool()
    {
        var compose = await ComposeFile.LoadAsync();

        var buckets = compose.Service("minio-buckets");
        Assert.StartsWith("minio/mc:", buckets.GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal("no", buckets.GetProperty("restart").GetString());
        var script = string.Join(' ', buckets.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("mc mb --ignore-existing \"target/$$S3_INPUTS_BUCKET\" \"target/$$S3_ARCHIVE_BUCKET\"", script, StringComparison.Ordinal);
        Assert.Equal(compose.Environment("processor")["S3__InputsBucket"], compose.Environment("minio-buckets")["S3_INPUTS_BUCKET"]);
        Assert.Equal(compose.Environment("archiver")["S3__ArchiveBucket"], compose.Environment("minio-buckets")["S3_ARCHIVE_BUCKET"]);

        var topology = compose.Service("topology");
        Assert.Equal("Dockerfile", topology.GetProperty("build").GetProperty("dockerfile").GetString());
        Assert.Equal("Ops", topology.GetProperty("build").GetProperty("args").GetProperty("PROJECT").GetString());
        Assert.Equal(["topology", "apply"], topology.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("no", topology.GetProperty("restart").GetString());
        Assert.All(Brokers, b => Assert.Equal("service_healthy", Condition(topology, b)));
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("processor")]
    [InlineData("archiver")]
    public async Task Each_service_is_built_here_checked_for_readiness_restarted_and_started_after_its_dependencies(string name)
    {
        var compose = await ComposeFile.LoadAsync();
        var service = compose.Service(name);

        var project = DeployedService.Named(name).Project;
        Assert.Equal("Dockerfile", service.GetProperty("build").GetProperty("dockerfile").GetString());
        Assert.Equal(project, service.GetProperty("build").GetProperty("args").GetProperty("PROJECT").GetString());
        Assert.Equal(Repository.Root, service.GetProperty("build").GetProperty("context").GetString());
        Assert.Equal("unless-stopped", service.GetProperty("restart").GetString());
        var test = service.GetProperty("healthcheck").GetProperty("test").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/readyz"], test);
        Assert.Equal("service_completed_successfully", Condition(service, "topology"));
        Assert.Equal("service_completed_successfully", Condition(service, "minio-buckets"));
        Assert.Equal("service_healthy", Condition(service, "schema-registry"));

        // docker stop waits longer than the service's own shutdown budget, so draining is never cut short.
        var grace = TimeSpan.FromSeconds(int.Parse(StopGrace().Match(service.GetProperty("stop_grace_period").GetString()!).Groups["s"].Value));
        Assert.True(grace > TimeSpan.FromSeconds(int.Parse(compose.Environment(name)["ShutdownTimeoutSeconds"])));
    }

    [Fact]
    public async Task The_processor_scales_no_service_has_a_fixed_container_name_and_only_ingest_publishes_a_port()
    {
        var compose = await ComposeFile.LoadAsync();

        Assert.DoesNotContain(compose.ServiceNames, s => compose.Service(s).TryGetProperty("container_name", out _));
        Assert.False(compose.Service("processor").TryGetProperty("ports", out _));
        Assert.False(compose.Service("archiver").TryGetProperty("ports", out _));
        Assert.Contains(compose.Service("ingest").GetProperty("ports").EnumerateArray(), p => p.GetProperty("target").GetInt32() == 8080);
    }

    private static string? Condition(JsonElement service, string dependency) =>
        service.GetProperty("depends_on").GetProperty(dependency).GetProperty("condition").GetString();

    /// <summary>Each service's environment as written in the file, before interpolation (PyYAML resolves the anchors).</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> RawEnvironmentsAsync()
    {
        const string Script = "import sys, json, yaml\n" +
            "d = yaml.safe_load(open(sys.argv[1]))\n" +
            "json.dump({n: {k: str(v) for k, v in (s.get('environment') or {}).items()} for n, s in d['services'].items()}, sys.stdout)";
        var result = await ProcessRunner.RunAsync("python3", ["-c", Script, ComposeFile.DefaultPath], new Dictionary<string, string>());
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(result.Output)!;
    }

    [GeneratedRegex("(SECRET|PASSWORD|TOKEN|API_KEY|APIKEY)", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\$\{(?<name>[A-Z0-9_]+)")]
    private static partial Regex Interpolated();

    [GeneratedRegex(@"^(?<s>\d+)s$")]
    private static partial Regex StopGrace();
}
