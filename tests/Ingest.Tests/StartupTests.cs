using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Ingest readies its publisher as it starts (the request schema's id, the producer's connection), so that the first
/// request after a deploy does not wait for them; doing so publishes nothing.
/// </summary>
[Trait("Category", "Stack")]
public sealed class StartupTests
{
    [Fact]
    public async Task As_it_starts_Ingest_registers_its_request_schema_and_publishes_nothing()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("ingestwarm");
        await stack.Kafka.CreateTopologyAsync(prefix);
        var subject = prefix + Topics.Requested + "-value";
        using var registry = new CachedSchemaRegistryClient(new SchemaRegistryOptions { Url = stack.SchemaRegistry.Url }.ClientConfig());
        Assert.DoesNotContain(subject, await registry.GetAllSubjectsAsync());

        await using var host = await IngestHost.StartAsync(IngestHost.Settings(stack.Kafka.BootstrapServers, prefix, stack.SchemaRegistry.Url, stack.S3));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await registry.GetAllSubjectsAsync()).Contains(subject) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal([1], await registry.GetSubjectVersionsAsync(subject));
        Assert.Empty(await TopicReader.ReadAsync<Ignore, Ignore>(stack.Kafka.BootstrapServers, prefix + Topics.Requested, 0, timeout: TimeSpan.FromSeconds(5)));
    }
}
