using System.ComponentModel.DataAnnotations;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.SchemaRegistry.Server;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>The DI entry point, option validation at startup, and the in-process server's own checks.</summary>
[Trait("Category", "Stack")]
public sealed class HostingTests
{
    [Fact]
    public async Task AddSchemaRegistry_serves_event_serdes_and_a_readiness_check_over_the_configured_registry()
    {
        var url = (await SharedStack.GetAsync()).SchemaRegistry.Url;
        using var host = Build(new() { ["SchemaRegistry:Url"] = url });
        await host.StartAsync();

        var serializer = host.Services.GetRequiredService<ISerializer<TransformationRequested>>();
        Assert.Same(serializer, host.Services.GetRequiredService<IAsyncSerializer<TransformationRequested>>());
        Assert.Same(host.Services.GetRequiredService<EventSerdes>().Serializer<TransformationRequested>(), serializer);
        Assert.Same(host.Services.GetRequiredService<EventSerializer<TransformationRequested>>(), serializer);
        Assert.IsAssignableFrom<EventDeserializer<TransformationFailed>>(host.Services.GetRequiredService<IDeserializer<TransformationFailed>>());
        Assert.Same(host.Services.GetRequiredService<ISchemaRegistryClient>(), host.Services.GetRequiredService<EventSerdes>().Registry);

        // The services' serdes work against the configured registry.
        var topic = TestKafka.NewPrefix("hosting") + Contracts.Topics.Started;
        var started = TestEvents.Started();
        var bytes = await host.Services.GetRequiredService<IAsyncSerializer<TransformationStarted>>()
            .SerializeAsync(started, new SerializationContext(MessageComponentType.Value, topic));
        Assert.Equal(started, await host.Services.GetRequiredService<IAsyncDeserializer<TransformationStarted>>()
            .DeserializeAsync(bytes, false, new SerializationContext(MessageComponentType.Value, topic)));

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, health.Entries["schema-registry"].Status);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("", null, "true", "false", "SchemaRegistry:Url is required.")]
    [InlineData("localhost:8081", null, "true", "false", "SchemaRegistry:Url must be an absolute http or https URL.")]
    [InlineData("http://u:p@localhost:8081", null, "true", "false", "must not carry credentials")]
    [InlineData("http://localhost:8081", "no-colon-secret", "true", "false", "SchemaRegistry:BasicAuthUserInfo must be \"user:password\".")]
    [InlineData("http://localhost:8081", null, "true", "true", "SchemaRegistry:UseLatestVersion needs SchemaRegistry:AutoRegisterSchemas=false")]
    public async Task Invalid_options_stop_the_host_at_startup_with_their_configuration_path(
        string url, string? userInfo, string autoRegister, string useLatest, string expected)
    {
        using var host = Build(new()
        {
            ["SchemaRegistry:Url"] = url,
            ["SchemaRegistry:BasicAuthUserInfo"] = userInfo,
            ["SchemaRegistry:AutoRegisterSchemas"] = autoRegister,
            ["SchemaRegistry:UseLatestVersion"] = useLatest,
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("no-colon-secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_checks_its_options_before_it_starts()
    {
        var kafka = (await SharedStack.GetAsync()).Kafka;
        var bad = new[]
        {
            (Action<SchemaRegistryServerOptions>)(o => o.DefaultCompatibility = "SIDEWAYS"),
            o => o.Host = "localhost",
            o => o.Topic = "bad topic",
            o => o.BasicAuthUsers["a:b"] = "c",
            o => o.Kafka.BootstrapServers = "",
        };

        foreach (var configure in bad)
        {
            await Assert.ThrowsAsync<ValidationException>(() => TestSchemaRegistry.StartServerAsync(kafka, "unused", CancellationToken.None, configure));
        }
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSchemaRegistry(builder.Configuration);
        return builder.Build();
    }
}
