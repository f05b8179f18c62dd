using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Failures;

/// <summary>
/// Everything needed to judge failures: every failed event (decoded), every completion (by the cs-identity header the
/// processor puts on its outcomes, decoding only records without it), and every request this tool published as a new
/// attempt (by its ops-replay-identity header; request values are not decoded).
/// </summary>
internal sealed class FailureLog
{
    private FailureLog(List<FailureRecord> failures, List<OutcomeMark> completions, List<ReplayMark> replays, DateTimeOffset? completeSince, int undecodable)
    {
        Failures = failures;
        Completions = completions;
        Replays = replays;
        CompleteSince = completeSince;
        Undecodable = undecodable;
    }

    public IReadOnlyList<FailureRecord> Failures { get; }

    public IReadOnlyList<OutcomeMark> Completions { get; }

    public IReadOnlyList<ReplayMark> Replays { get; }

    /// <summary>Since when the history in the cluster is complete (null: nothing was deleted by retention).</summary>
    public DateTimeOffset? CompleteSince { get; }

    /// <summary>Records of the failed or completed topics that could not be decoded (they are left out).</summary>
    public int Undecodable { get; }

    /// <param name="ignoreRetention">Judge failures older than <see cref="CompleteSince"/> as if nothing had been deleted.</param>
    public IReadOnlyList<ClassifiedFailure> Classify(int maxReplays, bool ignoreRetention = false) =>
        FailureHistory.Classify(Failures, Completions, Replays, ignoreRetention ? null : CompleteSince, maxReplays);

    public static async Task<FailureLog> LoadAsync(OpsSession session, CancellationToken cancellationToken)
    {
        var failedTopic = session.Topic(Topics.Failed);
        var completedTopic = session.Topic(Topics.Completed);
        var requestedTopic = session.Topic(Topics.Requested);
        var failedValues = new List<ConsumeResult<byte[]?, byte[]?>>();
        var unlabelledCompletions = new List<ConsumeResult<byte[]?, byte[]?>>();
        var completions = new List<OutcomeMark>();
        var replays = new List<ReplayMark>();

        var scan = await session.Scanner.ScanAsync([failedTopic, completedTopic, requestedTopic], record =>
        {
            var timestamp = (DateTimeOffset)record.Message.Timestamp.UtcDateTime;
            if (record.Topic == failedTopic)
            {
                failedValues.Add(record);
            }
            else if (record.Topic == completedTopic)
            {
                if (RequestIdentity.TryParse(RecordHeaders.Text(record.Message.Headers, StreamHeaders.Identity), out var identity))
                {
                    completions.Add(new OutcomeMark(identity, true, timestamp, RecordLocation.Of(record)));
                }
                else
                {
                    unlabelledCompletions.Add(record);
                }
            }
            else if (RequestIdentity.TryParse(RecordHeaders.Text(record.Message.Headers, ReplayHeaders.ReplayIdentity), out var replay))
            {
                replays.Add(new ReplayMark(replay, timestamp, RecordLocation.Of(record), RecordHeaders.Text(record.Message.Headers, ReplayHeaders.ReplayedFrom)));
            }
        }, cancellationToken);

        var undecodable = 0;
        var failures = new List<FailureRecord>();
        var failedReader = session.Serdes.Deserializer<TransformationFailed>();
        foreach (var record in failedValues)
        {
            if (await DecodeAsync(failedReader, record, cancellationToken) is { } failed)
            {
                failures.Add(new FailureRecord(failed, RecordLocation.Of(record), record.Message.Timestamp.UtcDateTime, KafkaTracing.Extract(record.Message.Headers)));
            }
            else
            {
                undecodable++;
            }
        }

        var completedReader = session.Serdes.Deserializer<TransformationCompleted>();
        foreach (var record in unlabelledCompletions)
        {
            if (await DecodeAsync(completedReader, record, cancellationToken) is { } completed)
            {
                completions.Add(new OutcomeMark(RequestIdentity.Of(completed), true,
                    record.Message.Timestamp.UtcDateTime, RecordLocation.Of(record)));
            }
            else
            {
                undecodable++;
            }
        }

        var completeSince = new[] { failedTopic, completedTopic, requestedTopic }.Select(scan.CompleteSince).Max();
        return new FailureLog(failures, completions, replays, completeSince, undecodable);
    }

    /// <summary>Decodes a value; null for a value that is not a readable event (an unreachable or refusing registry still throws).</summary>
    public static async Task<T?> DecodeAsync<T>(EventDeserializer<T> reader, ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken)
        where T : class
    {
        if (record.Message.Value is not { } value)
        {
            return null;
        }

        try
        {
            return await reader.DeserializeAsync(value, record.Topic, cancellationToken);
        }
        catch (AvroSerdeException e) when (e.Kind != AvroSerdeError.RegistryRefused)
        {
            return null;
        }
    }
}
