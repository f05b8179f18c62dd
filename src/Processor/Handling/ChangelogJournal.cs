using System.Text.Json;
using System.Text.Json.Serialization;
using CinematicSwitch.Providers;
using CinematicSwitch.Streaming.Processing;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// The provider runner's journal, kept in the record's changelog state. What must be known before the next call to a
/// provider is written durably at once: a job's intent (Starting, before its create call) and its id (Started, before
/// it is polled), so that a restarted worker resumes the same jobs. A job's end (Finished, Failed, Canceled) is kept and
/// written with the record's decision: lost in a crash, it is read again from the provider by polling the known job.
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

        if (checkpoint.State is JobState.Starting or JobState.Started)
        {
            await state.SaveAsync(payload, cancellationToken);
        }
        else
        {
            state.Keep(payload);
        }
    }

    public ValueTask EnsureCurrentAsync(CancellationToken cancellationToken) => state.EnsureOwnedAsync(cancellationToken);
}
