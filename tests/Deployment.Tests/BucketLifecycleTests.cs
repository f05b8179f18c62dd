using CinematicSwitch.Deployment.Tests.Support;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>The minio-buckets job's lifecycle rules, the job run as compose resolves it (<see cref="BucketsJob"/>).</summary>
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

    private static async Task<List<string>> RunBucketsJobAsync(Dictionary<string, string> variables) =>
        await BucketsJob.RunAsync(await ComposeFile.LoadAsync(variables: ComposeFile.Secrets.Concat(variables).ToDictionary()));
}
