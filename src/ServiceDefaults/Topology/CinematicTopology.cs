using System.Globalization;
using CinematicSwitch.Streaming.Topology;

namespace CinematicSwitch.ServiceDefaults.Topology;

/// <summary>The one definition of the project's topics, applied to the embedded cluster and to real clusters alike.</summary>
public static class CinematicTopology
{
    public static IReadOnlyList<TopicSpec> Topics(TopologyOptions options, string prefix = "")
    {
        var events = Retention(options.EventRetentionDays);
        var replayable = Retention(options.ReplayableRetentionDays);
        var forever = new Dictionary<string, string> { ["cleanup.policy"] = "delete", ["retention.ms"] = "-1" };
        var changelog = new Dictionary<string, string> { ["cleanup.policy"] = "compact" };
        // Doorbells are worth something for seconds; a safety-net poll covers whatever is missed.
        var doorbells = new Dictionary<string, string>
        {
            ["cleanup.policy"] = "delete",
            ["retention.ms"] = TimeSpan.FromHours(options.JobEventRetentionHours).TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
        };

        return
        [
            Spec(Contracts.Topics.Requested, events),
            Spec(Contracts.Topics.Started, events),
            Spec(Contracts.Topics.Completed, events),
            Spec(Contracts.Topics.Failed, replayable),
            Spec(Contracts.Topics.Archived, events),
            // The credits topic is the ledger: it is never expired.
            Spec(Contracts.Topics.CreditsRecorded, forever),
            Spec(Contracts.Topics.RequestedDeadLetters, replayable),
            Spec(Contracts.Topics.CompletedDeadLetters, replayable),
            Spec(Contracts.Topics.ProcessorState, changelog),
            Spec(Contracts.Topics.ArchiverState, changelog),
            Spec(Contracts.Topics.ProviderJobEvents, doorbells),
        ];

        TopicSpec Spec(string name, Dictionary<string, string> config) =>
            new(prefix + name, options.Partitions, options.ReplicationFactor, config);
    }

    private static Dictionary<string, string> Retention(int days) => new()
    {
        ["cleanup.policy"] = "delete",
        ["retention.ms"] = TimeSpan.FromDays(days).TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
    };
}
