using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace CinematicSwitch.Streaming.Topology;

/// <summary>Applies a topology to a real cluster through the AdminClient.</summary>
public sealed class AdminClientTopicProvisioner(IAdminClient admin) : ITopicProvisioner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task<TopologyReport> ApplyAsync(IReadOnlyCollection<TopicSpec> topics, bool createMissing, CancellationToken cancellationToken)
    {
        var metadata = admin.GetMetadata(Timeout);
        var existing = metadata.Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, StringComparer.Ordinal);

        var outcomes = new List<TopicOutcome>();
        var toCreate = new List<TopicSpec>();
        foreach (var spec in topics)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (existing.TryGetValue(spec.Name, out var topic))
            {
                var config = await DescribeAsync(spec);
                outcomes.Add(TopicComparison.Compare(spec, topic, config));
            }
            else if (createMissing)
            {
                toCreate.Add(spec);
            }
            else
            {
                outcomes.Add(new TopicOutcome(spec.Name, TopicStatus.Missing));
            }
        }

        if (toCreate.Count > 0)
        {
            outcomes.AddRange(await CreateAsync(toCreate));
        }

        return new TopologyReport(outcomes.OrderBy(o => o.Topic, StringComparer.Ordinal).ToList());
    }

    private async Task<IReadOnlyDictionary<string, string>> DescribeAsync(TopicSpec spec)
    {
        if (spec.Config.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var results = await admin.DescribeConfigsAsync(
            [new ConfigResource { Type = ResourceType.Topic, Name = spec.Name }],
            new DescribeConfigsOptions { RequestTimeout = Timeout });
        return results[0].Entries.ToDictionary(e => e.Key, e => e.Value.Value, StringComparer.Ordinal);
    }

    private async Task<IEnumerable<TopicOutcome>> CreateAsync(List<TopicSpec> specs)
    {
        var specifications = specs.Select(s => new TopicSpecification
        {
            Name = s.Name,
            NumPartitions = s.Partitions,
            ReplicationFactor = s.ReplicationFactor,
            Configs = s.Config.ToDictionary(kv => kv.Key, kv => kv.Value),
        });

        try
        {
            await admin.CreateTopicsAsync(specifications, new CreateTopicsOptions { RequestTimeout = Timeout });
            return specs.Select(s => new TopicOutcome(s.Name, TopicStatus.Created));
        }
        catch (CreateTopicsException e)
        {
            // Another instance may have created some of them concurrently: that is success, not a mismatch.
            return e.Results.Select(r => r.Error.Code switch
            {
                ErrorCode.NoError => new TopicOutcome(r.Topic, TopicStatus.Created),
                ErrorCode.TopicAlreadyExists => new TopicOutcome(r.Topic, TopicStatus.Matches, "created concurrently"),
                _ => new TopicOutcome(r.Topic, TopicStatus.Missing, r.Error.Reason),
            });
        }
    }
}
