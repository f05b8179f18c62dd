namespace CinematicSwitch.Testing;

/// <summary>
/// The stack shared by every test of this test process, started on first use and stopped when the process exits: one
/// embedded cluster, schema registry and S3 endpoint per run (or the real ones configured).
/// </summary>
public static class SharedStack
{
    private static readonly Lazy<Task<TestStack>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static Task<TestStack> GetAsync()
    {
        TestLane.RequireStack("the shared stack");
        return Instance.Value;
    }

    private static async Task<TestStack> StartAsync()
    {
        var kafka = TestKafka.FromEnvironment();
        var schemaRegistry = await TestSchemaRegistry.StartAsync(kafka, CancellationToken.None);
        var s3 = await TestS3.StartAsync(CancellationToken.None);
        var stack = new TestStack(kafka, schemaRegistry, s3);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return stack;
    }
}
