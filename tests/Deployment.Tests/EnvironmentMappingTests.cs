using CinematicSwitch.Deployment.Tests.Support;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// Every variable docker-compose.yml gives a service sets a real option of that service, with a value its validation
/// accepts; a misspelt one is caught, whether it falls inside an option section, is a flat name, or names no section.
/// </summary>
public sealed class EnvironmentMappingTests
{
    public static TheoryData<string> Services => new() { "ingest", "processor", "archiver" };

    public static TheoryData<string, string, string> Misspellings => new()
    {
        // Inside a section: the service's own startup validation refuses it (it would stop the container too).
        { "processor", "Kafka__BootstrapServer", "Kafka:BootstrapServer: no such option" },
        { "ingest", "Ingest__Tenants__0__ApiKeySha265", "Ingest:Tenants:0:ApiKeySha265: no such option" },
        { "archiver", "S3__ForcePathStlye", "S3:ForcePathStlye: no such option" },
        { "processor", "Providers__Runway__Enabeld", "Providers:Runway:Enabeld: no such option" },
        { "processor", "Processor__Stream__MaxInFlihgt", "Processor:Stream:MaxInFlihgt: no such option" },
        { "archiver", "SchemaRegistry__BasicAuthUser", "SchemaRegistry:BasicAuthUser: no such option" },
        { "ingest", "Telemetry__TraceDir", "Telemetry:TraceDir: no such option" },
        // Outside any section: nothing reads it.
        { "processor", "REPLICATE_API_TOKN", "REPLICATE_API_TOKN: no option of Processor reads it" },
        { "archiver", "Kafak__BootstrapServers", "Kafak__BootstrapServers: no option of Archiver reads it" },
        { "ingest", "ShutdownTimeoutSecond", "ShutdownTimeoutSecond: no option of Ingest reads it" },
        // A flat name of another service's options: the archiver calls no provider.
        { "archiver", "REPLICATE_API_TOKEN", "REPLICATE_API_TOKEN: no option of Archiver reads it" },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_variable_of_the_service_sets_a_real_option_with_a_valid_value(string name)
    {
        var compose = await ComposeFile.LoadAsync();

        var problems = await ConfigurationCheck.ProblemsAsync(DeployedService.Named(name), compose.Environment(name));

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Every_variable_of_the_topology_job_sets_an_option_of_the_ops_tool()
    {
        var compose = await ComposeFile.LoadAsync();

        Assert.Empty(ConfigurationCheck.TopologyJobProblems(compose.Environment("topology")));
        Assert.Contains("Topology:Partitons: no such option",
            ConfigurationCheck.TopologyJobProblems(new Dictionary<string, string>(compose.Environment("topology")) { ["Topology__Partitons"] = "6" }));
    }

    [Theory]
    [MemberData(nameof(Misspellings))]
    public async Task A_misspelt_variable_is_caught(string name, string variable, string expected)
    {
        var compose = await ComposeFile.LoadAsync();
        var environment = compose.Environment(name);
        environment[variable] = "true";

        var problems = await ConfigurationCheck.ProblemsAsync(DeployedService.Named(name), environment);

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelt_variable_in_a_compose_file_fails_the_check_end_to_end()
    {
        var directory = Directory.CreateTempSubdirectory("cinematic-compose-");
        try
        {
            var text = await File.ReadAllTextAsync(ComposeFile.DefaultPath);
            Assert.Contains("S3__ForcePathStyle:", text, StringComparison.Ordinal);
            var path = Path.Combine(directory.FullName, "docker-compose.yml");
            await File.WriteAllTextAsync(path, text.Replace("S3__ForcePathStyle:", "S3__ForcePathStlye:", StringComparison.Ordinal));

            var compose = await ComposeFile.LoadAsync(path);

            foreach (var service in DeployedService.All)
            {
                var problems = await ConfigurationCheck.ProblemsAsync(service, compose.Environment(service.ComposeName));
                Assert.Contains("S3:ForcePathStlye: no such option (misspelt, or in the wrong section?)", problems);
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("processor", "Processor__MediaDelivery", "DataUrl", "Processor:MediaDelivery")]
    [InlineData("processor", "Processor__MaxDataUriBytes", "0", "Processor:MaxDataUriBytes")]
    [InlineData("ingest", "ShutdownTimeoutSeconds", "0", "ShutdownTimeoutSeconds must be between 1 and 3600.")]
    [InlineData("archiver", "Kafka__SecurityProtocol", "TLS", "Kafka:SecurityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")]
    [InlineData("processor", "Kafka__SaslMechanism", "SCRAM-SHA256", "Kafka:SaslMechanism must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER or GSSAPI.")]
    [InlineData("ingest", "SchemaRegistry__Url", "schema-registry:8081", "SchemaRegistry:Url must be an absolute http or https URL.")]
    [InlineData("archiver", "Telemetry__TraceDirectry", "/tmp/traces", "Telemetry:TraceDirectry: no such option")]
    public async Task A_value_the_service_refuses_fails_the_check_naming_the_option(string name, string variable, string value, string expected)
    {
        var compose = await ComposeFile.LoadAsync();
        var environment = compose.Environment(name);
        environment[variable] = value;

        var problems = await ConfigurationCheck.ProblemsAsync(DeployedService.Named(name), environment);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }
}
