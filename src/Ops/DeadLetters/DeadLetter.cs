using System.Globalization;
using System.Text;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.DeadLetters;

/// <summary>
/// A record of a dead-letter topic: the original key and value bytes, the original headers followed by what the stream
/// runtime added (StreamHeaders: reason, error type, original topic/partition/offset/timestamp, failure time, attempts).
/// </summary>
internal sealed record DeadLetter(
    RecordLocation Location,
    DateTimeOffset Timestamp,
    byte[]? Key,
    byte[]? Value,
    Headers Headers,
    string Reason,
    string? ErrorType,
    RecordLocation? Source,
    DateTimeOffset FailedAt,
    int? Attempts,
    int PreviousReplays)
{
    /// <summary>The runtime's reason for a record it could not decode.</summary>
    public const string Undecodable = "undecodable";

    /// <summary>The runtime's reason for a record whose handler kept failing.</summary>
    public const string ProcessingFailed = "processing-failed";

    /// <summary>"undecodable" or "processing-failed": the reason header is "{kind}: {exception message}".</summary>
    public string Kind => Reason.Split(':', 2)[0].Trim();

    public string KeyText => Key is null ? "(null)" : Encoding.UTF8.GetString(Key);

    public static DeadLetter Of(ConsumeResult<byte[]?, byte[]?> record)
    {
        var headers = record.Message.Headers ?? [];
        string? Header(string key) => RecordHeaders.Text(headers, key);
        RecordLocation? source = null;
        if (Header(StreamHeaders.DeadLetterOriginalTopic) is { Length: > 0 } topic
            && int.TryParse(Header(StreamHeaders.DeadLetterOriginalPartition), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            && long.TryParse(Header(StreamHeaders.DeadLetterOriginalOffset), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            source = new RecordLocation(topic, partition, offset);
        }

        var timestamp = (DateTimeOffset)record.Message.Timestamp.UtcDateTime;
        var failedAt = long.TryParse(Header(StreamHeaders.DeadLetterFailedAt), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : timestamp;
        return new DeadLetter(
            RecordLocation.Of(record),
            timestamp,
            record.Message.Key,
            record.Message.Value,
            headers,
            Header(StreamHeaders.DeadLetterReason) ?? "(no reason)",
            Header(StreamHeaders.DeadLetterErrorType),
            source,
            failedAt,
            int.TryParse(Header(StreamHeaders.DeadLetterAttempts), NumberStyles.None, CultureInfo.InvariantCulture, out var attempts) ? attempts : null,
            int.TryParse(Header(ReplayHeaders.DeadLetterReplays), NumberStyles.None, CultureInfo.InvariantCulture, out var replays) ? replays : 0);
    }
}
