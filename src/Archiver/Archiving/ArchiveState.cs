using System.Text.Json;
using System.Text.Json.Serialization;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Archiver.Archiving;

/// <summary>
/// A record's progress, saved in the archiver's changelog after each output: what is archived (with its hash,
/// S3 URI and presigned link) and what was given up, and the time the record's events carry. A record resumed
/// after a crash or a rebalance skips the outputs listed here — their provider links may have expired since —
/// and publishes the same events the first owner would have.
/// </summary>
internal sealed record ArchiveState(DateTimeOffset OccurredAt, IReadOnlyList<ArchivedMedia> Archived, IReadOnlyList<OutputFailure> Failed)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>A fresh state; events carry whole milliseconds, so the time is kept that way.</summary>
    public static ArchiveState Start(DateTimeOffset now) => new(DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), [], []);

    public static ArchiveState? Load(byte[]? payload) => payload is null ? null : JsonSerializer.Deserialize<ArchiveState>(payload, Json);

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public bool Covers(int index) => Archived.Any(a => a.Index == index) || Failed.Any(f => f.Index == index);

    public ArchiveState With(OutputResult result) => this with
    {
        Archived = result.Archived is { } archived ? [.. Archived, archived] : Archived,
        Failed = result.Failure is { } failure ? [.. Failed, failure] : Failed,
    };
}
