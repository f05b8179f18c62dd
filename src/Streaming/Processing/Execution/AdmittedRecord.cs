using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Ownership;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Execution;

/// <summary>A decoded, prepared record of an owned partition, on its way through the scheduler to its decision.</summary>
internal sealed record AdmittedRecord<TWork>(PartitionOwner Owner, PartitionLedger Ledger, ConsumeResult<byte[]?, byte[]?> Raw, PreparedRecord<TWork> Prepared)
{
    /// <summary>The scheduler's key: the record key (the tenant), or "" for keyless records.</summary>
    public string Key { get; } = Raw.Message.Key is { } key ? System.Text.Encoding.UTF8.GetString(key) : "";

    public string Identity => Prepared.Identity;

    public string Lane => Prepared.Lane;

    public long Offset => Raw.Offset.Value;

    public StreamRecord<TWork> ToStreamRecord() =>
        new(Prepared.Work, Prepared.Identity, Raw.Message.Key is null ? null : Key, Raw.TopicPartitionOffset, Raw.Message.Timestamp.UtcDateTime,
            Raw.Message.Headers ?? []);
}
