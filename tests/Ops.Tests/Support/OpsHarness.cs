using System.Text.Json;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.ServiceDefaults.Endpoints;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Ops.Tests.Support;

/// <summary>What one run of the CLI answered.</summary>
public sealed record OpsResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the CLI's command line in-process, attached to a testbed's topics through an endpoints file written as the
/// embedded stack writes it (the tool's default way in), with the testbed's consumer groups.
/// </summary>
public sealed class OpsHarness : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ops-tests-").FullName;

    private OpsHarness(string endpointsFile, string prefix)
    {
        EndpointsFile = endpointsFile;
        Prefix = prefix;
    }

    public string EndpointsFile { get; }

    public string Prefix { get; }

    /// <summary>The group PipelineTestbed gives a service: the prefix and the project's name.</summary>
    public string Group(string project) => Prefix + project.ToLowerInvariant();

    public static async Task<OpsHarness> ForAsync(TestStack stack, string prefix, int partitions)
    {
        var directory = Directory.CreateTempSubdirectory("ops-endpoints-").FullName;
        var file = Path.Combine(directory, "endpoints.json");
        var s3 = stack.S3.Options;
        await new StackEndpoints(
            new KafkaEndpoint(stack.Kafka.BootstrapServers, prefix, partitions),
            new S3Endpoint(s3.ServiceUrl ?? "", s3.Region, s3.AccessKey ?? "", s3.SecretKey ?? "", s3.ForcePathStyle, s3.DisableChunkedUploads,
                s3.InputsBucket, s3.ArchiveBucket),
            stack.SchemaRegistry.Url,
            null,
            null).WriteAsync(file, CancellationToken.None);
        return new OpsHarness(file, prefix);
    }

    /// <summary>The project's topology under a fresh prefix on the shared stack, and a harness attached to it.</summary>
    public static async Task<OpsHarness> WithTopologyAsync(string test, int partitions)
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix(test);
        await stack.Kafka.CreateTopologyAsync(prefix, partitions);
        return await ForAsync(stack, prefix, partitions);
    }

    public static Task<OpsHarness> ForAsync(PipelineTestbed bed, int partitions) => ForAsync(bed.Stack, bed.Prefix, partitions);

    /// <summary>Runs a command against the testbed (endpoints file and groups added).</summary>
    public Task<OpsResult> RunAsync(params string[] args) =>
        RunRawAsync([.. args, "--endpoints", EndpointsFile, "--processor-group", Group("Processor"), "--archiver-group", Group("Archiver")]);

    /// <summary>Runs a command line as it is, in a directory of its own, with no environment variables.</summary>
    public Task<OpsResult> RunRawAsync(params string[] args) => RunCliAsync(_directory, args);

    public static async Task<OpsResult> RunCliAsync(string directory, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new OpsEnvironment(output, error, new Dictionary<string, string>(), directory, TimeProvider.System, [directory]);
        var exitCode = await OpsCommandLine.RunAsync(args, environment);
        return new OpsResult(exitCode, output.ToString(), error.ToString());
    }

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(Path.GetDirectoryName(EndpointsFile)!, recursive: true);
    }
}
