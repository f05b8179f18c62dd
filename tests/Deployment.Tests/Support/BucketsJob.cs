using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>
/// The one-shot minio-buckets job, run as its container runs it (/bin/sh -c, compose's $$ unescaped, its environment
/// alone) with a stand-in for MinIO's mc, a shell function that records its calls and fails "ilm rule rm" as a bucket
/// without rules does (there is no Docker daemon here to run the image).
/// </summary>
internal static class BucketsJob
{
    /// <summary>Runs the job of <paramref name="compose"/>; returns mc's calls, in order.</summary>
    public static async Task<List<string>> RunAsync(ComposeFile compose)
    {
        var job = compose.Service("minio-buckets");
        Assert.Equal(["/bin/sh", "-c"], job.GetProperty("entrypoint").EnumerateArray().Select(a => a.GetString()));
        var script = Assert.Single(job.GetProperty("command").EnumerateArray()).GetString()!.Replace("$$", "$", StringComparison.Ordinal);
        var directory = Directory.CreateTempSubdirectory("cinematic-mc-");
        try
        {
            var calls = Path.Combine(directory.FullName, "calls");
            var environment = new Dictionary<string, string>(compose.Environment("minio-buckets")) { ["MC_CALLS"] = calls };
            const string Mc = "mc() { printf '%s\\n' \"$*\" >> \"$MC_CALLS\"; case \"$*\" in \"ilm rule rm\"*) return 1;; esac; }; ";

            var result = await ProcessRunner.RunAsync("/bin/sh", ["-c", Mc + script], environment);

            Assert.True(result.ExitCode == 0, $"the job failed: {result.Error}");
            return [.. await File.ReadAllLinesAsync(calls)];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
