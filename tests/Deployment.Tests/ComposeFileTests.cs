using System.Text.Json;
using System.Text.RegularExpressions;
using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// docker-compose.yml as Debian's docker-compose 1.29 reads it: valid, with its secrets outside, and what it gives each
/// program reaching that program's own options binding (the brokers, the buckets, the shutdown budget). What needs a
/// Docker engine (images, the brokers' own settings, restart policies, dependency order) is not tested here.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] Brokers = ["kafka-1", "kafka-2", "kafka-3"];

    [Fact]
    public async Task Docker_compose_accepts_the_file_with_the_example_environment_and_the_required_secrets()
    {
        var compose = await ComposeFile.LoadAsync();

        // Every program the file builds from this repository is one these tests compose (or the topology job).
        Assert.Equal(
            DeployedService.All.Select(s => s.ComposeName).Append("topology").Order(StringComparer.Ordinal),
            compose.ServiceNames.Where(s => compose.Service(s).TryGetProperty("build", out _)).Order(StringComparer.Ordinal));
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
    public async Task Every_service_binds_the_three_brokers_and_the_topics_it_uses_stay_writable_with_one_broker_down()
    {
        var compose = await ComposeFile.LoadAsync();
        var listeners = Brokers.Select(b => $"{b}:9092").ToHashSet();
        foreach (var service in DeployedService.All)
        {
            var kafka = await ConfigurationCheck.OptionsAsync<KafkaOptions>(service, compose.Environment(service.ComposeName));
            Assert.Equal(listeners, kafka.BootstrapServers.Split(',').ToHashSet());
        }

        // The topology job creates the topics with the replication factor it binds; a producer (acks=all) keeps writing
        // while the in-sync replicas left after one broker's loss are at least the brokers' minimum.
        var topology = new TopologyOptions();
        ComposeConfiguration(compose.Environment("topology")).GetSection(TopologyOptions.SectionName).Bind(topology);
        Assert.Equal(Brokers.Length, topology.ReplicationFactor);
        Assert.All(Brokers, b => Assert.True(topology.ReplicationFactor - 1 >= int.Parse(compose.Environment(b)["KAFKA_MIN_INSYNC_REPLICAS"]),
            $"{b}: one broker down leaves fewer in-sync replicas than it requires"));
    }

    /// <summary>The one-shot bucket job, run as its container runs it (<see cref="BucketsJob"/>), creates the buckets the services bind.</summary>
    [Fact]
    public async Task The_bucket_job_creates_the_buckets_the_services_bind()
    {
        var compose = await ComposeFile.LoadAsync();
        var calls = await BucketsJob.RunAsync(compose);

        var made = calls.Single(c => c.StartsWith("mb ", StringComparison.Ordinal))
            .Split(' ').Where(w => w.StartsWith("target/", StringComparison.Ordinal)).Select(w => w["target/".Length..]).ToHashSet();
        foreach (var service in DeployedService.All)
        {
            var s3 = await ConfigurationCheck.OptionsAsync<S3Options>(service, compose.Environment(service.ComposeName));
            Assert.Contains(s3.InputsBucket, made);
            Assert.Contains(s3.ArchiveBucket, made);
        }
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("processor")]
    [InlineData("archiver")]
    public async Task Docker_stop_waits_longer_than_the_shutdown_the_service_binds(string name)
    {
        var compose = await ComposeFile.LoadAsync();

        var host = await ConfigurationCheck.OptionsAsync<HostOptions>(DeployedService.Named(name), compose.Environment(name));

        // docker stop sends SIGKILL after the grace period: draining (the host's shutdown timeout) must end before it.
        var grace = TimeSpan.FromSeconds(int.Parse(StopGrace().Match(compose.Service(name).GetProperty("stop_grace_period").GetString()!).Groups["s"].Value));
        Assert.True(grace > host.ShutdownTimeout, $"stop_grace_period {grace} is not longer than the shutdown timeout {host.ShutdownTimeout}");
    }

    private static IConfiguration ComposeConfiguration(Dictionary<string, string> environment) =>
        new ConfigurationBuilder().AddInMemoryCollection(environment.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), (string?)kv.Value))).Build();

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
