using System.Text;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Kafka;

internal static class RecordHeaders
{
    /// <summary>The last value of a header as UTF-8 text, or null.</summary>
    public static string? Text(Headers? headers, string key) =>
        headers is not null && headers.TryGetLastBytes(key, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// The headers a record had before the stream runtime dead-lettered it: the runtime appends its own (identity first,
    /// then output, source, epoch) and the dlq-* headers after the original ones, so the last identity header starts what
    /// was added. Headers of earlier replays go too, since a replay writes its own.
    /// </summary>
    public static List<IHeader> BeforeDeadLettering(Headers? headers)
    {
        var all = headers?.ToList() ?? [];
        var marker = all.FindLastIndex(h => h.Key == StreamHeaders.Identity);
        var end = marker >= 0 ? marker : all.Count;
        return all.Take(end)
            .Where(h => !h.Key.StartsWith("dlq-", StringComparison.Ordinal) && !h.Key.StartsWith(ReplayHeaders.Prefix, StringComparison.Ordinal))
            .ToList();
    }

    public static void Add(Headers headers, string key, string value) => headers.Add(key, Encoding.UTF8.GetBytes(value));
}
