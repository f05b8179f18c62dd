using CinematicSwitch.SchemaRegistry.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.Testing;

/// <summary>The schema registry of this test process: the development registry on the test cluster, or a real one.</summary>
public sealed class TestSchemaRegistry : IAsyncDisposable
{
    private readonly SchemaRegistryServer? _server;

    private TestSchemaRegistry(string url, SchemaRegistryServer? server)
    {
        Url = url;
        _server = server;
    }

    public string Url { get; }

    /// <summary>True when the tests run against the development registry started here.</summary>
    public bool IsEmbedded => _server is not null;

    public static async Task<TestSchemaRegistry> StartAsync(TestKafka kafka, CancellationToken cancellationToken)
    {
        if (TestEnvironment.SchemaRegistryUrl is { } url)
        {
            return new TestSchemaRegistry(url, null);
        }

        return await StartOnClusterAsync(kafka, cancellationToken);
    }

    /// <summary>The development registry on <paramref name="kafka"/>, whatever registry the environment names: a private cluster needs its own.</summary>
    public static async Task<TestSchemaRegistry> StartOnClusterAsync(TestKafka kafka, CancellationToken cancellationToken)
    {
        var server = await StartServerAsync(kafka, TestKafka.NewPrefix("registry") + "_schemas", cancellationToken);
        return new TestSchemaRegistry(server.Url, server);
    }

    /// <summary>A development registry of its own on the test cluster, for tests that restart it, change its
    /// global settings or need its authentication; <paramref name="topic"/> keeps its schemas.</summary>
    public static Task<SchemaRegistryServer> StartServerAsync(
        TestKafka kafka, string topic, CancellationToken cancellationToken, Action<SchemaRegistryServerOptions>? configure = null)
    {
        var options = new SchemaRegistryServerOptions
        {
            Port = 0,
            Topic = topic,
            ReplicationFactor = kafka.ReplicationFactor,
            Kafka = kafka.Options(),
        };
        configure?.Invoke(options);
        return SchemaRegistryServer.StartAsync(options, kafka.Provisioner, NullLoggerFactory.Instance, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
