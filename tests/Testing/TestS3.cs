using CinematicSwitch.DevStack.Components;
using CinematicSwitch.ServiceDefaults.Storage;

namespace CinematicSwitch.Testing;

/// <summary>The S3 endpoint of this test process: s3rver, or a real endpoint from the environment.</summary>
public sealed class TestS3 : IAsyncDisposable
{
    private readonly S3rverProcess? _s3rver;

    private TestS3(S3Options options, S3rverProcess? s3rver)
    {
        Options = options;
        _s3rver = s3rver;
    }

    /// <summary>Options for clients, with this run's bucket names.</summary>
    public S3Options Options { get; }

    public static async Task<TestS3> StartAsync(CancellationToken cancellationToken)
    {
        TestLane.RequireStack("an S3 endpoint");
        var run = $"{Guid.NewGuid():N}"[..8];
        if (TestEnvironment.S3Endpoint is { } endpoint)
        {
            var external = new S3Options
            {
                ServiceUrl = endpoint,
                Region = TestEnvironment.S3Region,
                AccessKey = TestEnvironment.S3AccessKey,
                SecretKey = TestEnvironment.S3SecretKey,
                ForcePathStyle = true,
                InputsBucket = $"cs-test-{run}-inputs",
                ArchiveBucket = $"cs-test-{run}-archive",
            };
            using var client = S3ClientFactory.Create(external);
            var store = new ObjectStore(client, Microsoft.Extensions.Options.Options.Create(external), TimeProvider.System);
            await store.EnsureBucketAsync(external.InputsBucket, cancellationToken);
            await store.EnsureBucketAsync(external.ArchiveBucket, cancellationToken);
            return new TestS3(external, null);
        }

        var options = new S3Options
        {
            Region = "us-east-1",
            AccessKey = S3rverProcess.AccessKey,
            SecretKey = S3rverProcess.SecretKey,
            ForcePathStyle = true,
            DisableChunkedUploads = true,
            InputsBucket = "cinematic-inputs",
            ArchiveBucket = "cinematic-archive",
        };
        var directory = Path.Combine(Path.GetTempPath(), "cinematic-tests", $"s3-{run}");
        var s3rver = await S3rverProcess.StartAsync(directory, [options.InputsBucket, options.ArchiveBucket], 0, cancellationToken);
        options.ServiceUrl = s3rver.Endpoint.ToString();
        return new TestS3(options, s3rver);
    }

    public ObjectStore CreateStore() =>
        new(S3ClientFactory.Create(Options), Microsoft.Extensions.Options.Options.Create(Options), TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        if (_s3rver is not null)
        {
            await _s3rver.DisposeAsync();
            Directory.Delete(_s3rver.DataDirectory, recursive: true);
        }
    }
}
