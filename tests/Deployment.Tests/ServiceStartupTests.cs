using CinematicSwitch.Deployment.Tests.Support;
using Xunit.Abstractions;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// Each service started by hand from its build output with the environment docker-compose.yml gives its container
/// (addresses pointed at the embedded stack and the provider simulators): it answers /readyz with Kafka, the schema
/// registry and S3 reachable (the health checks Docker runs pass, and fail once it has stopped), stops with exit code 0
/// on SIGTERM, and refuses to start on an invalid option, naming it.
/// </summary>
[Trait("Category", "Stack")]
public sealed class ServiceStartupTests(ITestOutputHelper output)
{
    public static TheoryData<string> Services => new() { "ingest", "processor", "archiver" };

    public static TheoryData<string, string, string?, string> InvalidOptions => new()
    {
        { "ingest", "Ingest__PublishTimeoutMs", "10", "Ingest:PublishTimeoutMs" },
        { "ingest", "Ingest__Tenants__0__TenantIdd", "demo", "Ingest:Tenants:0:TenantIdd: no such option" },
        { "ingest", "S3__ServiceUrl", "minio:9000", "S3:ServiceUrl" },
        { "processor", "Processor__Stream__MaxInFlight", "0", "Processor:Stream:MaxInFlight" },
        { "processor", "Kafka__BootstrapServer", "kafka-1:9092", "Kafka:BootstrapServer: no such option" },
        { "processor", "REPLICATE_API_TOKEN", null, "Providers:Replicate:ApiKey is required while the provider is enabled." },
        { "processor", "ShutdownTimeoutSeconds", "0", "ShutdownTimeoutSeconds must be between 1 and 3600." },
        { "archiver", "Archiver__Download__MaxRedirects", "99", "Archiver:Download:MaxRedirects" },
        { "archiver", "SchemaRegistry__RequestTimeoutMs", "5", "SchemaRegistry:RequestTimeoutMs" },
        { "archiver", "Kafka__SecurityProtocol", "TLS", "Kafka:SecurityProtocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL." },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Started_with_the_compose_environment_it_is_ready_and_healthy_then_exits_0_on_SIGTERM_and_is_unhealthy(string name)
    {
        await using var service = await ComposedService.StartAsync(DeployedService.Named(name));

        var checks = await service.WaitUntilReadyAsync();

        Assert.Equal("Healthy", checks["kafka"]);
        Assert.Equal("Healthy", checks["schema-registry"]);
        Assert.Equal("Healthy", checks["s3"]);
        // The compose environment is what configured it: Logging__Format=json makes every line a compact JSON object (CLEF).
        Assert.Contains(service.Output, line => line.StartsWith("{\"@t\"", StringComparison.Ordinal));
        // The health checks Docker would run (compose's and the image's) pass against the ready service...
        Assert.All(await HealthChecks.RunAsync(name, service.BaseAddress.Port), check => Assert.True(check.Value == 0, $"{check.Key}: exit {check.Value}"));

        var exitCode = await service.TerminateAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(service.Log);
        Assert.Equal(0, exitCode);
        // ...and fail once it is gone.
        Assert.All(await HealthChecks.RunAsync(name, service.BaseAddress.Port), check => Assert.True(check.Value != 0, $"{check.Key}: exit 0 with the service stopped"));
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public async Task An_invalid_option_stops_startup_with_a_message_naming_it(string name, string variable, string? value, string expected)
    {
        await using var service = await ComposedService.StartAsync(DeployedService.Named(name), new Dictionary<string, string?> { [variable] = value });

        var exitCode = await service.WaitForExitAsync();

        output.WriteLine(service.Log);
        Assert.NotEqual(0, exitCode);
        Assert.Contains(service.Output, line => line.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_secret_that_is_invalid_is_named_but_never_printed()
    {
        const string Secret = "no-colon-in-this-secret";
        await using var service = await ComposedService.StartAsync(DeployedService.Archiver,
            new Dictionary<string, string?> { ["SchemaRegistry__BasicAuthUserInfo"] = Secret });

        var exitCode = await service.WaitForExitAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains(service.Output, line => line.Contains("SchemaRegistry:BasicAuthUserInfo must be", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Output, line => line.Contains(Secret, StringComparison.Ordinal));
    }
}
