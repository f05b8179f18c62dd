using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Output;

/// <summary>
/// Publishes a decision's outputs that are not out yet, as the decision stored them (so a new owner relaying its
/// predecessor's decision publishes the very same records), all at once, and returns when every one is acknowledged.
/// Only while the partition's lease holds: a fenced owner publishes nothing more.
/// </summary>
internal sealed class OutputRelay(IProducer<byte[]?, byte[]?> producer)
{
    public async Task RelayAsync(PartitionOwner owner, PartitionLedger ledger, ChangelogEntry decision, CancellationToken cancellationToken)
    {
        var outputs = decision.Outputs ?? [];
        var sends = new List<Task>(outputs.Count);
        await owner.Lease.EnsureAsync(cancellationToken);
        for (var index = 0; index < outputs.Count; index++)
        {
            if (!ledger.IsPublished(decision.Identity, index))
            {
                sends.Add(SendAsync(ledger, decision.Identity, index, outputs[index]));
            }
        }

        await Task.WhenAll(sends);
        ledger.ForgetPublished(decision.Identity);
    }

    private async Task SendAsync(PartitionLedger ledger, string identity, int index, StoredOutput output)
    {
        var headers = new Headers();
        foreach (var header in output.Headers)
        {
            headers.Add(header.Name, header.Value);
        }

        // Inside the record's process span, whose context the output carries on (a dead letter carries its original's).
        var delivered = await producer.ProduceTracedAsync(new TopicPartition(output.Topic, output.Partition),
            new Message<byte[]?, byte[]?> { Key = output.Key, Value = output.Value, Headers = headers }, KafkaTracing.Extract(headers));
        ledger.MarkPublished(identity, index);
        ledger.AdvanceFrontier(PartitionLedger.ScanKey(output.Topic, output.Partition), delivered.Offset.Value + 1);
    }
}
