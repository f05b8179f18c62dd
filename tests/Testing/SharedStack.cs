namespace CinematicSwitch.Testing;

/// <summary>
/// The infrastructure shared by every test of this test process, started on first use and stopped when
/// the process exits: one embedded cluster, schema registry and S3 endpoint per run (or the real ones configured).
/// </summary>
public sealed class SharedStack
{
    private static readonly Lazy<Task<SharedStack>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private SharedStack(TestKafka kafka, TestSchemaRegistry schemaRegistry, TestS3 s3)
    {
        Kafka = kafka;
        SchemaRegistry = schemaRegistry;
        S3 = s3;
    }

    public TestKafka Kafka { get; }

    public TestSchemaRegistry SchemaRegistry { get; }

    public TestS3 S3 { get; }

    public static Task<SharedStack> GetAsync() => Instance.Value;

    private static async Task<SharedStack> StartAsync()
    {
        var kafka = TestKafka.FromEnvironment();
        var schemaRegistry = await TestSchemaRegistry.StartAsync(kafka, CancellationToken.None);
        var s3 = await TestS3.StartAsync(CancellationToken.None);
        var stack = new SharedStack(kafka, schemaRegistry, s3);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            s3.DisposeAsync().AsTask().GetAwaiter().GetResult();
            schemaRegistry.DisposeAsync().AsTask().GetAwaiter().GetResult();
            kafka.Dispose();
        };
        return stack;
    }
}
