using System.Globalization;
using System.Text;
using CinematicSwitch.Streaming.Processing.Changelog;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Processing.Output;

/// <summary>
/// The dead letter of a record: its original key, bytes and headers, on the dead-letter topic's partition of the same
/// number, with headers saying why (reason, error type, where it came from, when, after how many attempts) and never
/// what it contained. It is published as the only output of the record's decision, like any other output.
/// </summary>
internal static class DeadLetters
{
    /// <summary>The identity of a record that could not be decoded: where it is.</summary>
    public static string IdentityOf(TopicPartitionOffset source) => $"record:{source.Topic}/{source.Partition.Value}/{source.Offset.Value}";

    public static StoredOutput Build(string deadLetterTopic, ConsumeResult<byte[]?, byte[]?> raw, string identity, long epoch, string reason, Exception error,
        int attempts, DateTimeOffset failedAt)
    {
        var headers = (raw.Message.Headers ?? []).Select(h => new StoredHeader(h.Key, h.GetValueBytes())).ToList();
        headers.AddRange(OutputEncoder.RuntimeHeaders(identity, 0, raw.TopicPartitionOffset, epoch));
        void Add(string name, string value) => headers.Add(new StoredHeader(name, Encoding.UTF8.GetBytes(value)));
        // The error's message is the runtime's or a deserializer's, about structure, never the record's content.
        Add(StreamHeaders.DeadLetterReason, $"{reason}: {error.Message}");
        // A poison record's type is what refused it (the deserializer's exception), when something did.
        var cause = error is PoisonRecordException { InnerException: { } inner } ? inner : error;
        Add(StreamHeaders.DeadLetterErrorType, cause.GetType().FullName ?? cause.GetType().Name);
        Add(StreamHeaders.DeadLetterOriginalTopic, raw.Topic);
        Add(StreamHeaders.DeadLetterOriginalPartition, raw.Partition.Value.ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterOriginalOffset, raw.Offset.Value.ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterOriginalTimestamp, raw.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterFailedAt, failedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Add(StreamHeaders.DeadLetterAttempts, attempts.ToString(CultureInfo.InvariantCulture));
        return new StoredOutput(deadLetterTopic, raw.Partition.Value, raw.Message.Key, raw.Message.Value, headers);
    }
}
