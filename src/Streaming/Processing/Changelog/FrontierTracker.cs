using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// Where the output partitions end, for the scan positions a decision records: a record published after the decision
/// lands at or after them. Asks the broker the first time per partition and ledger, then follows this owner's own
/// deliveries (<see cref="PartitionLedger.AdvanceFrontier"/>).
/// </summary>
internal sealed class FrontierTracker(PartitionReader reader) : IDisposable
{
    private readonly Lock _gate = new();

    public async Task<IReadOnlyDictionary<string, long>> ScanFromAsync(PartitionLedger ledger, IEnumerable<(string Topic, int Partition)> destinations,
        CancellationToken cancellationToken)
    {
        var scan = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (topic, partition) in destinations.Distinct())
        {
            var scanKey = PartitionLedger.ScanKey(topic, partition);
            if (ledger.Frontier(scanKey) is not { } known)
            {
                var end = await Task.Run(() =>
                {
                    lock (_gate)
                    {
                        return reader.EndOffset(new TopicPartition(topic, partition));
                    }
                }, cancellationToken);
                ledger.AdvanceFrontier(scanKey, end);
                known = ledger.Frontier(scanKey)!.Value;
            }

            scan[scanKey] = known;
        }

        return scan;
    }

    public void Dispose() => reader.Dispose();
}
