using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.S3.Model;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.ServiceDefaults.Topology;

namespace CinematicSwitch.Ops.Tenants;

/// <summary>A tenant's objects in one bucket: how many, how big, and (after a deletion) how many could not be deleted.</summary>
internal sealed record BucketShare(string Bucket, string Prefix, int Objects, long Bytes, int Deleted, IReadOnlyList<string> Errors);

/// <summary>The records keyed by the tenant in one topic, which stay until the topic's retention removes them.</summary>
internal sealed record TopicShare(string Topic, long Records, string KeptFor);

/// <summary>tenant delete: a tenant's inputs and archived outputs, deleted on request (GDPR-style erasure), with a dry run.</summary>
internal static partial class TenantCommands
{
    // AWS deletes at most 1000 keys per request.
    private const int DeleteBatch = 1000;

    public static Command Create(CommandRunner runner)
    {
        var tenant = new Option<string>("--tenant") { Description = "The tenant id, exactly (no patterns).", Required = true };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete. Without it, the command is a dry run that deletes nothing." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count what would be deleted (the default; says so explicitly)." };
        var delete = new Command("delete", "Deletes every object under the tenant's prefix (\"<tenant>/\", exactly) in the inputs and the " +
            "archive bucket, and reports the tenant's records in the event topics, which Kafka keeps until their retention removes them " +
            "(README, \"Retention\"). A dry run unless --yes.") { tenant, yes, dryRun };
        delete.Validators.Add(result =>
        {
            if (result.GetValue(yes) && result.GetValue(dryRun))
            {
                result.AddError("--yes and --dry-run exclude each other.");
            }

            if (result.GetValue(tenant) is { } id && !TenantIdPattern().IsMatch(id))
            {
                result.AddError($"--tenant: '{id}' is not a tenant id (1-64 letters, digits, '.', '_' or '-', not '.' or '..').");
            }
        });
        runner.Handle(delete, (session, result, token) => DeleteAsync(session, result.GetValue(tenant)!, result.GetValue(yes), token));
        return new Command("tenant", "A tenant's data.") { delete };
    }

    private static async Task<int> DeleteAsync(OpsSession session, string tenant, bool execute, CancellationToken cancellationToken)
    {
        // The slash makes the prefix exact: tenant "t1" owns "t1/...", never "t10/...".
        var prefix = tenant + "/";
        var shares = new List<BucketShare>();
        foreach (var bucket in new[] { session.Store.Options.InputsBucket, session.Store.Options.ArchiveBucket })
        {
            var keys = await ListAsync(session, bucket, prefix, cancellationToken);
            var (deleted, errors) = execute ? await DeleteAsync(session, bucket, keys, cancellationToken) : (0, []);
            shares.Add(new BucketShare(bucket, prefix, keys.Count, keys.Sum(k => k.Size ?? 0), deleted, errors));
        }

        var topics = await TopicSharesAsync(session, tenant, cancellationToken);
        var failed = shares.Sum(s => s.Errors.Count);
        if (session.Console.Json)
        {
            session.Console.WriteJson(new { tenant, dryRun = !execute, buckets = shares, topics });
        }
        else
        {
            session.Console.Write(OpsConsole.Table(["Bucket", "Prefix", "Objects", "Bytes", execute ? "Deleted" : "Would delete"],
                shares.Select(s => (string?[])[s.Bucket, s.Prefix, Count(s.Objects), Count(s.Bytes), Count(execute ? s.Deleted : s.Objects)])));
            session.Console.Write(OpsConsole.Table(["Topic", "Records of the tenant", "Kept until"],
                topics.Select(t => (string?[])[t.Topic, Count(t.Records), t.KeptFor])));
            foreach (var error in shares.SelectMany(s => s.Errors))
            {
                session.Console.Failure(error);
            }

            session.Console.Line(execute
                ? $"Deleted {shares.Sum(s => s.Deleted)} object(s) of tenant {tenant}, {failed} not. Its event records stay until their topics' retention removes them."
                : $"Dry run: {shares.Sum(s => s.Objects)} object(s), {Count(shares.Sum(s => s.Bytes))} bytes, would be deleted. Nothing was deleted; add --yes to delete.");
        }

        return failed > 0 ? ExitCodes.Failure : ExitCodes.Ok;
    }

    private static async Task<List<S3Object>> ListAsync(OpsSession session, string bucket, string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await session.Store.Client.ListObjectsV2Async(request, cancellationToken);
            // Checked again here rather than trusted to the server: nothing outside the prefix is ever deleted.
            objects.AddRange((page.S3Objects ?? []).Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return objects;
    }

    private static async Task<(int Deleted, List<string> Errors)> DeleteAsync(OpsSession session, string bucket, List<S3Object> objects, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var errors = new List<string>();
        foreach (var batch in objects.Chunk(DeleteBatch))
        {
            var response = await session.Store.Client.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = bucket,
                Objects = [.. batch.Select(o => new KeyVersion { Key = o.Key })],
                Quiet = true,
            }, cancellationToken);
            var refused = response.DeleteErrors ?? [];
            deleted += batch.Length - refused.Count;
            errors.AddRange(refused.Select(e => $"{bucket}/{e.Key}: {e.Code} {e.Message}"));
        }

        return (deleted, errors);
    }

    /// <summary>
    /// The tenant's records (keyed by its id) in the topics that carry request data. They are immutable logs: Kafka
    /// deletes records by age only, and truncating a partition would take every other tenant's records with it.
    /// </summary>
    private static async Task<List<TopicShare>> TopicSharesAsync(OpsSession session, string tenant, CancellationToken cancellationToken)
    {
        var specs = CinematicTopology.Topics(session.Settings.Topology, session.Settings.Kafka.TopicPrefix)
            .Where(t => t.Config.GetValueOrDefault("cleanup.policy") == "delete")
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        var present = session.Scanner.PartitionCounts(specs.Keys).Keys.ToList();
        var key = Encoding.UTF8.GetBytes(tenant);
        var counts = present.ToDictionary(t => t, _ => 0L, StringComparer.Ordinal);
        await session.Scanner.ScanAsync(present, record =>
        {
            if (record.Message.Key is { } k && k.AsSpan().SequenceEqual(key))
            {
                counts[record.Topic]++;
            }
        }, cancellationToken);
        return present.Order(StringComparer.Ordinal).Select(t => new TopicShare(t, counts[t], KeptFor(specs[t].Config))).ToList();
    }

    private static string KeptFor(IReadOnlyDictionary<string, string> config) =>
        config.TryGetValue("retention.ms", out var ms) && long.TryParse(ms, CultureInfo.InvariantCulture, out var millis) && millis >= 0
            ? $"{TimeSpan.FromMilliseconds(millis).TotalDays:0.#} days after each record"
            : "forever (the ledger)";

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    // Ingest's rule for tenant ids (IngestOptions), without the names that are path segments.
    [GeneratedRegex(@"^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantIdPattern();
}
