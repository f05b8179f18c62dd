namespace CinematicSwitch.Testing;

/// <summary>
/// The infrastructure a test runs on: a Kafka cluster, a schema registry that keeps its schemas in that cluster, and an
/// S3 endpoint. Most tests share one (<see cref="SharedStack"/>); a test that takes brokers down starts one of its own.
/// </summary>
public sealed class TestStack : IAsyncDisposable
{
    internal TestStack(TestKafka kafka, TestSchemaRegistry schemaRegistry, TestS3 s3)
    {
        Kafka = kafka;
        SchemaRegistry = schemaRegistry;
        S3 = s3;
    }

    public TestKafka Kafka { get; }

    public TestSchemaRegistry SchemaRegistry { get; }

    public TestS3 S3 { get; }

    /// <summary>
    /// A stack of its own, for fault injection: a private embedded cluster (whose brokers can be taken down), the
    /// development registry on it (a registry elsewhere would not know this cluster's schemas) and an S3 endpoint with
    /// buckets of its own. Its owner disposes it.
    /// </summary>
    public static async Task<TestStack> StartPrivateAsync(int brokers = 3)
    {
        var kafka = TestKafka.StartPrivate(brokers);
        var schemaRegistry = await TestSchemaRegistry.StartOnClusterAsync(kafka, CancellationToken.None);
        var s3 = await TestS3.StartAsync(CancellationToken.None);
        return new TestStack(kafka, schemaRegistry, s3);
    }

    public async ValueTask DisposeAsync()
    {
        await S3.DisposeAsync();
        await SchemaRegistry.DisposeAsync();
        Kafka.Dispose();
    }
}
