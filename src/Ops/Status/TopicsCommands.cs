using System.CommandLine;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.ServiceDefaults.Topology;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Status;

internal sealed record PartitionOffsets(int Partition, long Start, long End);

internal sealed record TopicOffsets(string Topic, bool Missing, IReadOnlyList<PartitionOffsets> Partitions)
{
    public long Start => Partitions.Sum(p => p.Start);

    public long End => Partitions.Sum(p => p.End);

    public long Records => Partitions.Sum(p => p.End - p.Start);
}

/// <summary>A partition's lag: what the group has not consumed. Without a commit, the group would start at the oldest record.</summary>
internal sealed record PartitionLag(int Partition, long? Committed, long End, long Lag);

internal sealed record GroupLag(string Group, string Role, string Topic, IReadOnlyList<PartitionLag> Partitions)
{
    public long Lag => Partitions.Sum(p => p.Lag);

    public int CommittedPartitions => Partitions.Count(p => p.Committed is not null);
}

/// <summary>topics status: the project's topics with their offsets, and the lag of each consumer group on them.</summary>
internal static class TopicsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var groups = new Option<string[]>("--group")
        {
            Description = "Another consumer group to report (repeatable); the processor's and the archiver's always are.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var partitions = new Option<bool>("--partitions") { Description = "Show every partition's offsets and lag, not only totals." };
        var status = new Command("status", "Partitions, start and end offsets of the project's topics, and each consumer group's lag " +
            "(the processor's, the archiver's, and on a real cluster any other group with commits on these topics).") { groups, partitions };
        runner.Handle(status, (session, result, token) => StatusAsync(session, result.GetValue(groups) ?? [], result.GetValue(partitions), token));
        return new Command("topics", "Topics and consumer lag.") { status };
    }

    private static Task<int> StatusAsync(OpsSession session, IReadOnlyList<string> extraGroups, bool perPartition, CancellationToken cancellationToken) =>
        Task.Run(() =>
        {
            var scanner = session.Scanner;
            var names = CinematicTopology.Topics(session.Settings.Topology, session.Settings.Kafka.TopicPrefix).Select(t => t.Name).ToList();
            var counts = scanner.PartitionCounts(names);
            var ranges = scanner.Ranges(names.Where(counts.ContainsKey).ToList());
            var topics = names.Select(name => new TopicOffsets(name, !counts.ContainsKey(name), ranges.Where(r => r.Topic == name)
                .Select(r => new PartitionOffsets(r.Partition, r.Start, r.End)).ToList())).ToList();

            var (discovered, discovery) = DiscoverGroups(session);
            var candidates = new List<(string Group, string Role, string? Input)>
            {
                (session.Settings.ProcessorGroup, "processor", session.Topic(Topics.Requested)),
                (session.Settings.ArchiverGroup, "archiver", session.Topic(Topics.Completed)),
            };
            candidates.AddRange(extraGroups.Select(g => (g, "--group", (string?)null)));
            candidates.AddRange(discovered.Select(g => (g, "discovered", (string?)null)));
            var lags = new List<GroupLag>();
            foreach (var (group, role, input) in candidates.DistinctBy(c => c.Group))
            {
                cancellationToken.ThrowIfCancellationRequested();
                lags.AddRange(Lags(scanner, group, role, input, ranges));
            }

            Report(session.Console, topics, lags, discovery, perPartition);
            return ExitCodes.Ok;
        }, cancellationToken);

    /// <summary>A group's lag on its input topic, and on every other project topic where it committed something.</summary>
    private static IEnumerable<GroupLag> Lags(TopicScanner scanner, string group, string role, string? input, IReadOnlyList<PartitionRange> ranges)
    {
        var committed = scanner.Committed(group, ranges);
        return ranges.GroupBy(r => r.Topic, StringComparer.Ordinal)
            .Select(topic => new GroupLag(group, role, topic.Key, topic.Select(r =>
            {
                var offset = committed.GetValueOrDefault((r.Topic, r.Partition));
                return new PartitionLag(r.Partition, offset, r.End, Math.Max(0, r.End - (offset ?? r.Start)));
            }).ToList()))
            .Where(lag => lag.Topic == input || lag.CommittedPartitions > 0);
    }

    /// <summary>Consumer groups the cluster lists. The embedded broker cannot list groups: then only the known ones are reported.</summary>
    private static (IReadOnlyList<string> Groups, string Note) DiscoverGroups(OpsSession session)
    {
        if (session.Settings.Embedded)
        {
            return ([], "the embedded broker cannot list consumer groups: showing the processor's, the archiver's and --group ones");
        }

        try
        {
            using var admin = session.Clients.CreateAdmin();
            var groups = admin.ListGroups(TimeSpan.FromSeconds(15))
                .Where(g => g.ProtocolType is "consumer" or "")
                .Select(g => g.Group)
                .Where(g => !g.StartsWith("cinematic-ops", StringComparison.Ordinal))
                .ToList();
            return (groups, $"{groups.Count} consumer group(s) listed by the cluster; those with commits on these topics are shown");
        }
        catch (KafkaException e)
        {
            return ([], $"consumer groups could not be listed ({e.Error.Reason}): showing the processor's, the archiver's and --group ones");
        }
    }

    private static void Report(OpsConsole console, List<TopicOffsets> topics, List<GroupLag> lags, string discovery, bool perPartition)
    {
        if (console.Json)
        {
            console.WriteJson(new
            {
                topics = topics.Select(t => new { t.Topic, t.Missing, t.Start, t.End, t.Records, t.Partitions }),
                groups = lags.Select(l => new { l.Group, l.Role, l.Topic, l.Lag, l.CommittedPartitions, l.Partitions }),
                discovery,
            });
            return;
        }

        var topicTable = perPartition
            ? OpsConsole.Table(["Topic", "Partition", "Start offset", "End offset", "Records"], topics.SelectMany(t => t.Missing
                ? [[t.Topic, "", "", "", "missing"]]
                : t.Partitions.Select(p => new string?[] { t.Topic, p.Partition.ToString(), Display.Number(p.Start), Display.Number(p.End), Display.Number(p.End - p.Start) })))
            : OpsConsole.Table(["Topic", "Partitions", "Start offsets", "End offsets", "Records"], topics.Select(t => t.Missing
                ? new string?[] { t.Topic, "missing", "", "", "" }
                : [t.Topic, t.Partitions.Count.ToString(), Display.Number(t.Start), Display.Number(t.End), Display.Number(t.Records)]));
        console.Write(topicTable);

        var groupTable = perPartition
            ? OpsConsole.Table(["Group", "Role", "Topic", "Partition", "Committed", "End offset", "Lag"], lags.SelectMany(l => l.Partitions.Select(p =>
                new string?[] { l.Group, l.Role, l.Topic, p.Partition.ToString(), p.Committed is { } c ? Display.Number(c) : "none", Display.Number(p.End), Display.Number(p.Lag) })))
            : OpsConsole.Table(["Group", "Role", "Topic", "Committed partitions", "Lag"], lags.Select(l =>
                new string?[] { l.Group, l.Role, l.Topic, $"{l.CommittedPartitions} of {l.Partitions.Count}", Display.Number(l.Lag) }));
        console.Write(groupTable);
        console.Notice($"Lag without a commit counts from the oldest record. Groups: {discovery}.");
    }
}
