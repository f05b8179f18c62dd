using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// The minio-buckets job's lifecycle rules, run as compose resolves them: its script in a shell, with its environment,
/// against a stand-in <c>mc</c> that records its calls (there is no Docker daemon here to run the image).
/// </summary>
public sealed class BucketLifecycleTests
{
    [Fact]
    public async Task By_default_inputs_expire_after_seven_days_and_the_archive_keeps_everything()
    {
        var calls = await RunBucketsJobAsync(new Dictionary<string, string>());

        Assert.Contains("ilm rule add --expire-days 7 target/cinematic-inputs", calls);
        Assert.Contains("ilm rule rm --all --force target/cinematic-archive", calls);
        Assert.DoesNotContain(calls, c => c.StartsWith("ilm rule add", StringComparison.Ordinal) && c.EndsWith("target/cinematic-archive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configured_days_reach_the_rules_of_both_buckets_which_replace_the_earlier_rules()
    {
        var calls = await RunBucketsJobAsync(new Dictionary<string, string>
        {
            ["S3_INPUTS_EXPIRE_DAYS"] = "3",
            ["S3_ARCHIVE_RETENTION_DAYS"] = "90",
            ["S3_INPUTS_BUCKET"] = "uploads",
        });

        // Each bucket's rules are removed before its rule is added: running the job again leaves one rule, not two.
        var inputsRemoved = calls.IndexOf("ilm rule rm --all --force target/uploads");
        var inputsAdded = calls.IndexOf("ilm rule add --expire-days 3 target/uploads");
        Assert.InRange(inputsRemoved, 0, inputsAdded - 1);
        var archiveRemoved = calls.IndexOf("ilm rule rm --all --force target/cinematic-archive");
        var archiveAdded = calls.IndexOf("ilm rule add --expire-days 90 target/cinematic-archive");
        Assert.InRange(archiveRemoved, 0, archiveAdded - 1);
    }

    /// <summary>
    /// The job's command as compose hands it to the container's shell, run by /bin/sh with the job's environment; the
    /// stand-in mc fails "ilm rule rm" as a bucket without rules would. Returns mc's calls, in order.
    /// </summary>
    private static async Task<List<string>> RunBucketsJobAsync(Dictionary<string, string> variables)
    {
        var compose = await ComposeFile.LoadAsync(variables: ComposeFile.Secrets.Concat(variables).ToDictionary());
        // "$$" in the file is a literal "$" for the container's shell; docker-compose config prints it still escaped.
        var command = compose.Service("minio-buckets").GetProperty("command").EnumerateArray().Single().GetString()!.Replace("$$", "$", StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("mc-stand-in-").FullName;
        try
        {
            var log = Path.Combine(directory, "calls.log");
            var mc = Path.Combine(directory, "mc");
            await File.WriteAllTextAsync(mc, "#!/bin/sh\necho \"$*\" >> \"$MC_LOG\"\ncase \"$*\" in \"ilm rule rm\"*) exit 1;; esac\n");
            Assert.Equal(0, (await ProcessRunner.RunAsync("chmod", ["+x", mc], new Dictionary<string, string>())).ExitCode);
            var environment = compose.Environment("minio-buckets");
            environment["PATH"] = $"{directory}:{Environment.GetEnvironmentVariable("PATH")}";
            environment["MC_LOG"] = log;

            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", command], environment);

            Assert.True(result.ExitCode == 0, $"the job failed: {result.Error}");
            return [.. await File.ReadAllLinesAsync(log)];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
