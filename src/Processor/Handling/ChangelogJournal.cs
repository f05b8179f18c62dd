using System.Text.Json;
using System.Text.Json.Serialization;
using CinematicSwitch.Providers;
using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// The provider runner's journal, kept in the record's changelog entry: every checkpoint is durable (all
/// in-sync replicas) before the runner calls the provider, so a restarted worker resumes the same jobs.
/// </summary>
internal sealed class ChangelogJournal(IRecordState state) : IJobJournal
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly List<JobCheckpoint> _checkpoints = state.Payload is { } payload
        ? JsonSerializer.Deserialize<List<JobCheckpoint>>(payload, Json) ?? []
        : [];

    /// <summary>What a previous worker journaled (empty on a first run).</summary>
    public IReadOnlyList<JobCheckpoint> Checkpoints
    {
        get
        {
            lock (_checkpoints)
            {
                return [.. _checkpoints];
            }
        }
    }

    public async ValueTask RecordAsync(JobCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        byte[] payload;
        lock (_checkpoints)
        {
            _checkpoints.Add(checkpoint);
            payload = JsonSerializer.SerializeToUtf8Bytes(_checkpoints, Json);
        }

        await state.SaveAsync(payload, cancellationToken);
    }
}
