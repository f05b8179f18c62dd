namespace CinematicSwitch.Testing;

/// <summary>
/// The infrastructure shared by every test of this test process, started on first use and stopped when
/// the process exits: one embedded cluster and one S3 endpoint per run (or the real ones configured).
/// </summary>
public sealed class SharedStack
{
    private static readonly Lazy<Task<SharedStack>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private SharedStack(TestKafka kafka, TestS3 s3)
    {
        Kafka = kafka;
        S3 = s3;
    }

    public TestKafka Kafka { get; }

    public TestS3 S3 { get; }

    public static Task<SharedStack> GetAsync() => Instance.Value;

    private static async Task<SharedStack> StartAsync()
    {
        var kafka = TestKafka.FromEnvironment();
        var s3 = await TestS3.StartAsync(CancellationToken.None);
        var stack = new SharedStack(kafka, s3);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            s3.DisposeAsync().AsTask().GetAwaiter().GetResult();
            kafka.Dispose();
        };
        return stack;
    }
}
