using CinematicSwitch.SchemaRegistry.Server;
using CinematicSwitch.Testing;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>
/// A development registry of the test class's own on the shared cluster. The REST API tests check this registry's
/// behaviour, so they use it even when CINEMATIC_TEST_SCHEMA_REGISTRY_URL names a real one.
/// </summary>
public sealed class DevRegistryFixture : IAsyncLifetime
{
    private SchemaRegistryServer? _server;

    public string Url => _server?.Url ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var stack = await SharedStack.GetAsync();
        _server = await TestSchemaRegistry.StartServerAsync(stack.Kafka, TestKafka.NewPrefix("api") + "_schemas", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
