using System.CommandLine;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Topology;

namespace CinematicSwitch.Ops.Topology;

/// <summary>topology apply: creates the project's missing topics on a real cluster and verifies the others.</summary>
internal static class TopologyCommands
{
    public static Command Create(CommandRunner runner)
    {
        var partitions = new Option<int?>("--partitions") { Description = "Partitions of every topic (default Topology:Partitions, 12; on the embedded stack its own)." };
        var replication = new Option<short?>("--replication-factor") { Description = "Replication factor (default Topology:ReplicationFactor, 3)." };
        var verifyOnly = new Option<bool>("--verify-only") { Description = "Create nothing; report missing and different topics." };
        var apply = new Command("apply", "Creates the topics of the topology that are missing (partitions, replication, retention and cleanup " +
            "as CinematicTopology defines them) and verifies the existing ones; differences are reported, never changed. Exits with 3 when " +
            "a topic is missing or different.") { partitions, replication, verifyOnly };
        runner.Handle(apply, (session, result, token) =>
            ApplyAsync(session, result.GetValue(partitions), result.GetValue(replication), result.GetValue(verifyOnly), token));
        return new Command("topology", "The project's topics.") { apply };
    }

    private static async Task<int> ApplyAsync(OpsSession session, int? partitions, short? replication, bool verifyOnly, CancellationToken cancellationToken)
    {
        var settings = session.Settings;
        var options = new TopologyOptions
        {
            Partitions = partitions ?? settings.Topology.Partitions,
            ReplicationFactor = replication ?? settings.Topology.ReplicationFactor,
            EventRetentionDays = settings.Topology.EventRetentionDays,
            ReplayableRetentionDays = settings.Topology.ReplayableRetentionDays,
        };
        var specs = CinematicTopology.Topics(options, settings.Kafka.TopicPrefix);
        using var admin = session.Clients.CreateAdmin();
        var provisioner = new AdminClientTopicProvisioner(admin);
        TopologyReport report;
        if (settings.Embedded)
        {
            session.Console.Warning("Attached to the embedded stack: its broker is librdkafka's mock cluster, which has no CreateTopics and no " +
                "DescribeConfigs. The embedded broker creates topics itself: the dev stack (scripts/run.sh) applies the topology when it starts. " +
                "Nothing is created here; partitions and replication are verified, topic configurations are not.");
            var brokers = await Task.Run(() => admin.GetMetadata(TimeSpan.FromSeconds(15)).Brokers.Count, cancellationToken);
            var comparable = specs.Select(s => s with
            {
                ReplicationFactor = Math.Min(s.ReplicationFactor, (short)Math.Max(1, brokers)),
                Config = new Dictionary<string, string>(),
            }).ToList();
            report = await provisioner.ApplyAsync(comparable, createMissing: false, cancellationToken);
        }
        else
        {
            report = await provisioner.ApplyAsync(specs, createMissing: !verifyOnly, cancellationToken);
        }

        if (session.Console.Json)
        {
            session.Console.WriteJson(new
            {
                embedded = settings.Embedded,
                consistent = report.IsConsistent,
                topics = report.Topics.Select(t => new { t.Topic, status = Display.Kebab(t.Status), t.Detail }),
            });
        }
        else
        {
            session.Console.Write(OpsConsole.Table(["Topic", "Status", "Detail"],
                report.Topics.Select(t => new string?[] { t.Topic, Display.Kebab(t.Status), t.Detail })));
            session.Console.Line(report.IsConsistent
                ? $"{report.Topics.Count} topic(s) as the topology defines them."
                : $"{report.Problems.Count()} topic(s) missing or different from the topology.");
        }

        return report.IsConsistent ? ExitCodes.Ok : ExitCodes.TopologyMismatch;
    }
}
