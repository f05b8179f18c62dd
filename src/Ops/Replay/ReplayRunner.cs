using System.Diagnostics;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Clients;
using Confluent.Kafka;
using Spectre.Console;

namespace CinematicSwitch.Ops.Replay;

/// <summary>
/// A record a replay command means to publish (built only when it is), or skips with the reason. <paramref name="Trace"/>
/// is the trace context of the record it replays: the replay goes on in that trace, so that the request's one trace
/// shows its failure, the replay and what followed (a link would leave the replay's processing in a trace of its own,
/// which nobody looking at the failed request would find).
/// </summary>
internal sealed record PlannedReplay(
    string Label, string Topic, string? SkipReason, Func<CancellationToken, ValueTask<Message<byte[]?, byte[]?>>> Build, ActivityContext Trace = default)
{
    public bool Replays => SkipReason is null;
}

internal sealed record ReplayDelivery(string Label, string Location);

internal sealed record ReplayError(string Label, string Error);

/// <summary>What a replay did, or with a dry run would do.</summary>
internal sealed record ReplaySummary(
    bool DryRun,
    int Replayable,
    int Replayed,
    IReadOnlyDictionary<string, int> Skipped,
    IReadOnlyList<ReplayDelivery> Deliveries,
    IReadOnlyList<ReplayError> Errors,
    bool Interrupted)
{
    public int ExitCode => Interrupted ? ExitCodes.Interrupted : Errors.Count > 0 ? ExitCodes.ReplayErrors : ExitCodes.Ok;
}

/// <summary>
/// Publishes a replay plan with the project's idempotent producer (acks=all, murmur2 partitioning by key), at the rate
/// asked for, with progress, and stops early when publishing keeps failing (the cluster or registry is then down, and
/// every further attempt would only wait for its timeout).
/// </summary>
internal static class ReplayRunner
{
    private const int MaxConsecutiveErrors = 3;

    public static async Task<ReplaySummary> RunAsync(OpsSession session, IReadOnlyList<PlannedReplay> plan, ReplaySettings settings, CancellationToken cancellationToken)
    {
        var skipped = plan.Where(p => !p.Replays)
            .GroupBy(p => p.SkipReason!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var work = plan.Where(p => p.Replays).ToList();
        if (!settings.Execute || work.Count == 0)
        {
            return new ReplaySummary(!settings.Execute, work.Count, 0, skipped, [], [], false);
        }

        var deliveries = new List<ReplayDelivery>();
        var errors = new List<ReplayError>();
        var interrupted = false;
        using var producer = session.Clients.CreateProducer<byte[]?, byte[]?>("ops-replay", configure: c => c.MessageTimeoutMs = 30_000);
        var limiter = new RateLimiter(settings.Rate, session.Time);

        async Task PublishAllAsync(Action<PlannedReplay, ReplayDelivery?> advance)
        {
            var consecutiveErrors = 0;
            for (var i = 0; i < work.Count; i++)
            {
                var item = work[i];
                if (consecutiveErrors >= MaxConsecutiveErrors)
                {
                    errors.Add(new ReplayError("(stopped)", $"{MaxConsecutiveErrors} failures in a row; {work.Count - i} record(s) not attempted"));
                    return;
                }

                await limiter.WaitAsync(cancellationToken);
                try
                {
                    var message = await item.Build(cancellationToken);
                    var delivered = await producer.ProduceTracedAsync(item.Topic, message, item.Trace, cancellationToken);
                    var delivery = new ReplayDelivery(item.Label, $"{delivered.Topic}/{delivered.Partition.Value}/{delivered.Offset.Value}");
                    deliveries.Add(delivery);
                    consecutiveErrors = 0;
                    advance(item, delivery);
                }
                catch (Exception e) when (e is KafkaException or AvroSerdeException or HttpRequestException or TimeoutException)
                {
                    errors.Add(new ReplayError(item.Label, e is KafkaException k ? k.Error.Reason : e.Message));
                    consecutiveErrors++;
                    advance(item, null);
                }
            }
        }

        try
        {
            if (session.Console.ShowsLiveProgress && !session.Console.Json)
            {
                await session.Console.Error.Progress().StartAsync(async context =>
                {
                    var task = context.AddTask("Replaying", maxValue: work.Count);
                    await PublishAllAsync((_, _) => task.Increment(1));
                });
            }
            else
            {
                var done = 0;
                await PublishAllAsync((item, delivery) => session.Console.Notice(
                    $"[{++done}/{work.Count}] {item.Label}: {(delivery is null ? "failed" : $"replayed to {delivery.Location}")}"));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        return new ReplaySummary(false, work.Count, deliveries.Count, skipped, deliveries, errors, interrupted);
    }

    public static void Report(OpsConsole console, ReplaySummary summary)
    {
        var skipped = summary.Skipped.Count == 0
            ? "none skipped"
            : $"{summary.Skipped.Values.Sum()} skipped ({string.Join(", ", summary.Skipped.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Value} {s.Key}"))})";
        if (summary.DryRun)
        {
            console.Line($"Dry run: {summary.Replayable} would be replayed, {skipped}. Nothing was published; add --yes to replay.");
            return;
        }

        console.Line($"Replayed {summary.Replayed} of {summary.Replayable}, {skipped}, {summary.Errors.Count} error(s).");
        foreach (var error in summary.Errors)
        {
            console.Failure($"{error.Label}: {error.Error}");
        }

        if (summary.Interrupted)
        {
            console.Warning("Interrupted: the records not listed as replayed were not published.");
        }
    }
}
