using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>Where a simulated job stands at a given moment.</summary>
public enum SimJobPhase
{
    /// <summary>Held in the provider's queue (Runway's THROTTLED), not yet pending.</summary>
    Queued,

    Pending,
    Running,
    Succeeded,
    Failed,
    Canceled,

    /// <summary>Its deadline (Replicate's Cancel-After) passed before it started running: never ran, not charged.</summary>
    Aborted,
}

/// <summary>
/// One job a simulator created. Its lifecycle is a function of time: queued until <see cref="QueuedUntil"/> (when throttled),
/// pending for the first third of the latency, running until <see cref="CompletesAt"/>, then succeeded (or failed, per its
/// fault); never-finishing jobs run until cancelled. A <see cref="Deadline"/> that passes first ends it: aborted when it had
/// not started running, canceled when it had.
/// </summary>
public sealed class SimJob
{
    private long canceledAtTicks;

    public required string Id { get; init; }

    public required string Model { get; init; }

    public required string Operation { get; init; }

    public required string Prompt { get; init; }

    /// <summary>Size of the media input: decoded bytes of a data URI, else the length of the URL.</summary>
    public long InputBytes { get; init; }

    public long? Seed { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Null for a job that never finishes.</summary>
    public DateTimeOffset? CompletesAt { get; init; }

    /// <summary>End of the time in the provider's queue (Runway's THROTTLED); null when it was never queued.</summary>
    public DateTimeOffset? QueuedUntil { get; init; }

    /// <summary>When the provider ends the job by itself (Replicate's Cancel-After).</summary>
    public DateTimeOffset? Deadline { get; init; }

    public FaultKind? Fault { get; init; }

    /// <summary>Output URLs the job has once it succeeds.</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>The request body as received (echoed where the real API echoes it).</summary>
    public JsonObject Input { get; init; } = [];

    /// <summary>Provider-specific extras (ratio, dimensions, cost).</summary>
    public IReadOnlyDictionary<string, string> Extras { get; init; } = new Dictionary<string, string>();

    public DateTimeOffset? CanceledAt
    {
        get
        {
            var ticks = Interlocked.Read(ref canceledAtTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Cancels a job still in flight; false when it had already ended.</summary>
    public bool TryCancel(DateTimeOffset now) =>
        !IsTerminal(now) && Interlocked.CompareExchange(ref canceledAtTicks, now.UtcTicks, 0) == 0;

    private DateTimeOffset Start => QueuedUntil ?? CreatedAt;

    /// <summary>When it leaves "pending" for "running".</summary>
    private DateTimeOffset RunsFrom => Start + (((CompletesAt ?? Start.AddSeconds(3)) - Start) / 3);

    public SimJobPhase PhaseAt(DateTimeOffset now)
    {
        if (CanceledAt is not null)
        {
            return SimJobPhase.Canceled;
        }

        if (Deadline is { } deadline && now >= deadline && (CompletesAt is not { } done || done > deadline))
        {
            return deadline < RunsFrom ? SimJobPhase.Aborted : SimJobPhase.Canceled;
        }

        if (now < Start)
        {
            return SimJobPhase.Queued;
        }

        if (CompletesAt is not { } end || now < end)
        {
            return now < RunsFrom ? SimJobPhase.Pending : SimJobPhase.Running;
        }

        return Fault switch
        {
            FaultKind.ContentPolicy or FaultKind.JobFailed or FaultKind.BadMedia or FaultKind.AssetFetchFailed => SimJobPhase.Failed,
            FaultKind.Canceled => SimJobPhase.Canceled,
            _ => SimJobPhase.Succeeded,
        };
    }

    public bool IsTerminal(DateTimeOffset now) => PhaseAt(now) is SimJobPhase.Succeeded or SimJobPhase.Failed or SimJobPhase.Canceled or SimJobPhase.Aborted;

    /// <summary>When the job stopped being in flight (finished, failed, cancelled or past its deadline), if it has.</summary>
    public DateTimeOffset? EndedAt(DateTimeOffset now) => CanceledAt
        ?? (Deadline is { } deadline && deadline <= now && (CompletesAt is not { } done || done > deadline) ? deadline : (DateTimeOffset?)null)
        ?? (CompletesAt is { } end && end <= now ? end : null);

    public double Progress(DateTimeOffset now) => CompletesAt is { } end && end > Start
        ? Math.Clamp((now - Start) / (end - Start), 0, 1)
        : 0.5;
}

/// <summary>The record of a job as the control API reports it.</summary>
public sealed record SimJobRecord(
    string Id,
    string Provider,
    string Model,
    string Operation,
    string Prompt,
    long InputBytes,
    long? Seed,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CanceledAt,
    string Status,
    IReadOnlyList<string> Outputs);

/// <summary>One HTTP request a simulator received (control and media paths excluded).</summary>
public sealed record SimRequestRecord(string Method, string Path, int Status, DateTimeOffset At);

/// <summary>Every job and API request of one simulator, in order.</summary>
public sealed class JobLedger
{
    private readonly ConcurrentDictionary<string, SimJob> byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimJob> ordered = new();
    private readonly ConcurrentQueue<SimRequestRecord> requests = new();

    public void Add(SimJob job)
    {
        byId[job.Id] = job;
        ordered.Enqueue(job);
    }

    public SimJob? Find(string id) => byId.GetValueOrDefault(id);

    /// <summary>Forgets a job (a deleted finished task), keeping it in the record of created jobs.</summary>
    public void Forget(string id) => byId.TryRemove(id, out _);

    public IReadOnlyList<SimJob> Jobs => [.. ordered];

    public void Log(SimRequestRecord request) => requests.Enqueue(request);

    public IReadOnlyList<SimRequestRecord> Requests => [.. requests];

    public void Clear()
    {
        byId.Clear();
        ordered.Clear();
        requests.Clear();
    }
}
