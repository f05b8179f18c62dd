using System.Diagnostics;
using System.Text;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Testing;
using Confluent.Kafka;
using Xunit.Abstractions;

namespace CinematicSwitch.Processor.Tests;

/// <summary>
/// The pipeline under the faults of a real deployment at once (issue 15): requests published at a steady pace to two
/// processors and two archivers, on a cluster of the test's own, while a seeded schedule SIGKILLs processors and archivers
/// (each replaced at once), pauses both kinds past their session timeout (SIGSTOP, SIGCONT), takes a broker down and up,
/// and poison lands among the requests. Afterwards, from the topics, the archive bucket and the provider simulator's
/// record of every job: one outcome, one provider job, one archive of every output and one credit per request, as seen
/// by readers that honour the fencing rule; no tenant with two jobs at once; the dead-letter topics hold exactly the
/// poison; everything committed. CINEMATIC_CHAOS_SEED replays a run's schedule: the order of the faults, their durations,
/// the broker taken down and the instances killed (a pause takes the instance busiest at the time).
/// </summary>
[Trait("Category", "Stack")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Requests = 2000;
    private const int Tenants = 50;
    private const int Partitions = 6;
    private const int ProviderLatencyMs = 500;

    /// <summary>Requests are published over this long, the faults running meanwhile (they take about 90 s).</summary>
    private static readonly TimeSpan PublishingTime = TimeSpan.FromSeconds(100);

    /// <summary>How long reading a topic back may wait for the records expected (a few seconds when they are all there).</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);

    /// <summary>From the start, the pipeline must have drained within this (else the run fails on what is missing).</summary>
    private static readonly TimeSpan DrainBudget = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Long enough that the paused member's partitions go to another member, which works on them, before it comes back:
    /// the session timeout (6 s in tests) and the embedded coordinator's wait for members to rejoin (about as long again).
    /// </summary>
    private static readonly (TimeSpan Min, TimeSpan Max) PauseTime = (TimeSpan.FromSeconds(14), TimeSpan.FromSeconds(17));

    [Fact]
    public async Task Kills_pauses_a_broker_outage_and_poison_leave_one_outcome_job_archive_and_credit_per_request()
    {
        var schedule = new ChaosSchedule(TestEnvironment.ChaosSeed ?? Random.Shared.Next());
        output.WriteLine($"seed {schedule.Seed} (CINEMATIC_CHAOS_SEED={schedule.Seed} replays this schedule)");
        var clock = Stopwatch.StartNew();
        await using var bed = await PipelineTestbed.StartPrivateAsync("chaos", Partitions, ProviderLatencyMs);
        var media = await bed.UploadImagesAsync(TrackedRequest.Tenants(Tenants));
        var processors = new ServiceCrew("processor", 2, bed.StartProcessor);
        var archivers = new ServiceCrew("archiver", 2, bed.StartArchiver);
        var outage = TimeSpan.Zero;
        schedule
            .Add(() => processors.KillOneAsync(schedule.Random), times: 2)
            .Add(() => archivers.KillOneAsync(schedule.Random), times: 2)
            .Add(() => processors.PauseBusiestAsync(schedule.Random, schedule.Between(PauseTime.Min, PauseTime.Max), TimeSpan.FromSeconds(10)), times: 2)
            .Add(() => archivers.PauseBusiestAsync(schedule.Random, schedule.Between(PauseTime.Min, PauseTime.Max), TimeSpan.FromSeconds(10)))
            .Add(async () =>
            {
                var broker = schedule.Random.Next(1, bed.Stack.Kafka.Faults.BrokerCount + 1);
                outage = schedule.Between(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(8));
                return await BrokerOutageAsync(bed.Stack.Kafka.Faults, broker, outage);
            });

        var publishing = PublishAsync(bed, media);
        // The faults start once the pipeline runs: both kinds of service up, jobs flowing.
        await bed.Simulators.Replicate.WaitForJobsAsync(50, TimeSpan.FromMinutes(2));
        var chaosStarted = clock.Elapsed;
        await schedule.RunAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), clock);
        var (requests, poison, slowest) = await publishing;
        var chaosEnded = clock.Elapsed;

        var (processorLag, archiverLag) = await DrainAsync(bed, DrainBudget - clock.Elapsed);
        var drained = clock.Elapsed;
        var logFile = await SaveLogsAsync(bed, schedule.Seed);

        var run = await ReadRunAsync(bed, requests, poison);
        var jobs = PipelineInvariants.JobsByToken(bed.Simulators.Replicate.Jobs);
        var violations = new Dictionary<string, List<string>>
        {
            ["one outcome per request"] = run.OutcomeProblems,
            ["no failed outcome"] = run.FailedProblems,
            ["one provider job per request"] = PipelineInvariants.OneJobPerRequest(requests, jobs),
            ["no tenant with two jobs in flight"] = PipelineInvariants.NoTenantOverlap(requests, jobs),
            ["one archive of every output per request"] = run.ArchiveProblems,
            ["one credit record per request"] = run.CreditProblems,
            ["the dead-letter topics hold exactly the poison"] = run.DeadLetterProblems,
            ["everything committed"] = Problems(
                (processorLag != 0, $"the processors left {processorLag} requested record(s) uncommitted"),
                (archiverLag != 0, $"the archivers left {archiverLag} completed record(s) uncommitted")),
            ["services still running"] = [.. processors.Running.Concat(archivers.Running).Where(p => p.Process.HasExited).Select(p => $"{p.Name} exited on its own")],
        };

        output.WriteLine($"{Requests} requests over {Tenants} tenants ({requests.Count(r => r.OutputCount > 1)} with 2-3 outputs), {Partitions} partitions, "
            + $"Replicate latency {ProviderLatencyMs} ms, published over {PublishingTime.TotalSeconds:F0} s "
            + $"(the slowest acknowledged after {slowest.Took.TotalSeconds:F1} s, on partition {slowest.Partition})");
        output.WriteLine($"faults from {chaosStarted:mm\\:ss} to {chaosEnded:mm\\:ss}: {processors.Kills} processor kill(s), {archivers.Kills} archiver kill(s), "
            + $"{processors.Pauses} processor pause(s), {archivers.Pauses} archiver pause(s), a broker down {outage.TotalSeconds:F1} s");
        foreach (var fault in schedule.Log)
        {
            output.WriteLine($"  {fault}");
        }

        foreach (var line in run.Summary)
        {
            output.WriteLine(line);
        }

        output.WriteLine($"provider jobs: {bed.Simulators.Replicate.Jobs.Count} Replicate jobs for {requests.Count} requests");
        output.WriteLine($"lag at the end: processors {processorLag}, archivers {archiverLag}");
        output.WriteLine($"duration {clock.Elapsed:mm\\:ss} (drained at {drained:mm\\:ss}); services' logs: {logFile}");
        PrintWarnings(bed);
        PrintVerdict(violations);
        Assert.True(violations.Values.All(v => v.Count == 0),
            "violated: " + string.Join("; ", violations.Where(v => v.Value.Count > 0).Select(v => $"{v.Key} ({v.Value.Count})")));
        Assert.True(processors.Kills >= 2 && archivers.Kills >= 2 && processors.Pauses >= 1 && archivers.Pauses >= 1 && outage > TimeSpan.Zero,
            "not every fault ran");
    }

    /// <summary>What the services warned about; the Kafka client's complaints while a broker is down are expected and only counted.</summary>
    private void PrintWarnings(PipelineTestbed bed)
    {
        var warnings = bed.Logs.Where(l => l.Contains(" WRN ", StringComparison.Ordinal) || l.Contains(" ERR ", StringComparison.Ordinal)
            || l.Contains(" CRT ", StringComparison.Ordinal) || l.Contains(" FTL ", StringComparison.Ordinal)).ToList();
        var runtimeWarnings = warnings.Where(l => !l.Contains("librdkafka FAIL", StringComparison.Ordinal)
            && !l.Contains("Kafka client error", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{warnings.Count} warning/error line(s) in the services' logs, {runtimeWarnings.Count} not from the Kafka client's connections:");
        foreach (var line in runtimeWarnings.Take(30))
        {
            output.WriteLine($"  {line}");
        }
    }

    private void PrintVerdict(Dictionary<string, List<string>> violations)
    {
        foreach (var (invariant, problems) in violations)
        {
            output.WriteLine($"{(problems.Count == 0 ? "holds" : "VIOLATED")}: {invariant}{(problems.Count == 0 ? "" : $" ({problems.Count})")}");
            foreach (var problem in problems.Take(10))
            {
                output.WriteLine($"  {problem}");
            }
        }
    }

    private static async Task<string> BrokerOutageAsync(EmbeddedKafka kafka, int broker, TimeSpan outage)
    {
        kafka.SetBrokerDown(broker);
        try
        {
            await Task.Delay(outage);
        }
        finally
        {
            kafka.SetBrokerUp(broker);
        }

        return $"broker {broker} down, up {outage.TotalSeconds:F1} s later";
    }

    /// <summary>
    /// The requests at a steady pace over <see cref="PublishingTime"/> (not waiting for acknowledgements, so that a broker
    /// down holds up only its partitions), every tenth with three outputs and every tenth but five with two, and poison
    /// among them: tombstones and garbage on the requested topic, a tombstone on the completed topic.
    /// </summary>
    private static async Task<(List<TrackedRequest> Requests, PoisonRecord[] Poison, (int Partition, TimeSpan Took) Slowest)> PublishAsync(
        PipelineTestbed bed, IReadOnlyDictionary<string, MediaReference> media)
    {
        var poisonAt = new Dictionary<int, (string Topic, string What, byte[]? Value)>
        {
            [600] = (Topics.Requested, "a tombstone", null),
            [601] = (Topics.Requested, "JSON, not Avro (wrong magic byte)", Encoding.UTF8.GetBytes("{\"not\":\"avro\"}")),
            [1000] = (Topics.Completed, "a tombstone", null),
            [1400] = (Topics.Requested, "a tombstone", null),
            [1401] = (Topics.Requested, "an unknown schema id and a body of junk", [0, 0x7f, 0xff, 0xff, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x42]),
        };
        var requests = new List<TrackedRequest>(Requests);
        var sends = new List<Task<(int Partition, TimeSpan Took)>>(Requests);
        var poison = new List<Task<PoisonRecord>>();
        var pace = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            var (request, tracked) = TrackedRequest.Create(i, Tenants, media, outputCount: (i % 10) switch { 0 => 3, 5 => 2, _ => 1 });
            requests.Add(tracked);
            sends.Add(TimedAsync(bed.PublishAsync(request)));
            if (poisonAt.TryGetValue(i, out var bad))
            {
                poison.Add(PublishPoisonAsync(bed, tracked.Tenant, bad.Topic, bad.What, bad.Value));
            }

            var due = (PublishingTime * (i + 1) / Requests) - pace.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
        }

        var slowest = (await Task.WhenAll(sends)).MaxBy(s => s.Took);
        return (requests, await Task.WhenAll(poison), slowest);
    }

    /// <summary>How long a publish took to be acknowledged, and where it landed: a broker down holds up its partitions' requests.</summary>
    private static async Task<(int Partition, TimeSpan Took)> TimedAsync(Task<TopicPartitionOffset> publish)
    {
        var took = Stopwatch.StartNew();
        var landed = await publish;
        return (landed.Partition.Value, took.Elapsed);
    }

    private static async Task<PoisonRecord> PublishPoisonAsync(PipelineTestbed bed, string key, string topic, string what, byte[]? value) =>
        new(await bed.PublishRawAsync(key, value, topic), what, value);

    /// <summary>Waits until both groups have committed everything (the processors first: their outputs are the archivers' input).</summary>
    private static async Task<(long Processor, long Archiver)> DrainAsync(PipelineTestbed bed, TimeSpan budget)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var processor = await bed.LagAsync("Processor", Topics.Requested);
            var archiver = await bed.LagAsync("Archiver", Topics.Completed);
            if ((processor == 0 && archiver == 0) || deadline.Elapsed > budget)
            {
                return (processor, archiver);
            }

            await Task.Delay(1000);
        }
    }

    private static async Task<string> SaveLogsAsync(PipelineTestbed bed, int seed)
    {
        var file = Path.Combine(Path.GetTempPath(), $"cinematic-chaos-{seed}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        await File.WriteAllLinesAsync(file, bed.Logs);
        return file;
    }

    /// <summary>Reads every output topic and the archive bucket, and checks what readers see against what was published.</summary>
    private static async Task<RunReport> ReadRunAsync(PipelineTestbed bed, List<TrackedRequest> requests, PoisonRecord[] poison)
    {
        var poisonAt = poison.Select(p => p.Where).ToHashSet();
        var byId = requests.ToDictionary(r => r.RequestId);
        var expected = requests.Select(r => new RequestIdentity(r.RequestId, 0).ToString()).ToHashSet(StringComparer.Ordinal);
        var report = new RunReport();

        // Outcomes: completed and failed together (one request, one of them), the completed topic's tombstone set aside.
        var completedRecords = await bed.ReadRawAsync(Topics.Completed, Requests, ReadTimeout);
        var failedRecords = await bed.ReadRawAsync(Topics.Failed, 0, ReadTimeout);
        completedRecords.RemoveAll(r => poisonAt.Contains(r.TopicPartitionOffset));
        var outcomes = new FencedView(completedRecords.Concat(failedRecords));
        report.OutcomeProblems.AddRange(IdentityProblems(outcomes, expected));
        var completed = bed.Serdes.Deserializer<TransformationCompleted>();
        var failed = bed.Serdes.Deserializer<TransformationFailed>();
        foreach (var (identity, record) in outcomes.Outcomes)
        {
            if (record.Topic == bed.Topic(Topics.Failed))
            {
                var failure = await failed.DeserializeAsync(record.Message.Value!, record.Topic);
                report.FailedProblems.Add($"{identity} failed at {failure.Stage}: {failure.Error.Code} {failure.Error.Message}");
            }
            else if (await completed.DeserializeAsync(record.Message.Value!, record.Topic) is var done
                && byId.TryGetValue(done.RequestId, out var request) && done.Outputs.Count != request.OutputCount)
            {
                report.OutcomeProblems.Add($"{identity} completed with {done.Outputs.Count} output(s) of {request.OutputCount}");
            }
        }

        // Archives: one per request, with every output, each in the archive bucket.
        var archivedRecords = await bed.ReadRawAsync(Topics.Archived, Requests, ReadTimeout);
        var archives = new FencedView(archivedRecords);
        report.ArchiveProblems.AddRange(IdentityProblems(archives, expected));
        var stored = await ArchiveKeysAsync(bed.Store);
        var archived = bed.Serdes.Deserializer<TransformationArchived>();
        var archivedOutputs = 0;
        foreach (var (identity, record) in archives.Outcomes)
        {
            var archive = await archived.DeserializeAsync(record.Message.Value!, record.Topic);
            archivedOutputs += archive.Outputs.Count;
            if (byId.TryGetValue(archive.RequestId, out var request)
                && !archive.Outputs.Select(o => o.Index).Order().SequenceEqual(Enumerable.Range(0, request.OutputCount)))
            {
                report.ArchiveProblems.Add($"{identity} archived outputs {string.Join(",", archive.Outputs.Select(o => o.Index))} of {request.OutputCount}");
            }

            report.ArchiveProblems.AddRange(archive.Outputs.Where(o => !stored.Contains(S3ObjectRef.Parse(o.S3Uri).Key))
                .Select(o => $"{identity}: output {o.Index} is not in the archive bucket ({o.S3Uri})"));
        }

        // Credits: one record per request.
        var creditRecords = await bed.ReadRawAsync(Topics.CreditsRecorded, Requests, ReadTimeout);
        var credits = new FencedView(creditRecords);
        report.CreditProblems.AddRange(IdentityProblems(credits, expected));

        // Dead letters: exactly the poison, each with its reason and its original bytes.
        var requestedDeadLetters = await bed.ReadRawAsync(Topics.RequestedDeadLetters, poison.Count(p => p.Where.Topic == bed.Topic(Topics.Requested)), ReadTimeout);
        var completedDeadLetters = await bed.ReadRawAsync(Topics.CompletedDeadLetters, poison.Count(p => p.Where.Topic == bed.Topic(Topics.Completed)), ReadTimeout);
        report.DeadLetterProblems.AddRange(DeadLetterProblems(requestedDeadLetters, poison.Where(p => p.Where.Topic == bed.Topic(Topics.Requested))));
        report.DeadLetterProblems.AddRange(DeadLetterProblems(completedDeadLetters, poison.Where(p => p.Where.Topic == bed.Topic(Topics.Completed))));

        report.Summary.Add($"outcomes: {outcomes.Outcomes.Count} request identities ({completedRecords.Count} completed and {failedRecords.Count} failed records), "
            + $"{outcomes.Copies} byte-identical copies, {outcomes.Conflicts.Count} conflicting");
        report.Summary.Add(LongestStall(outcomes));
        report.Summary.Add($"archives: {archives.Outcomes.Count} identities with {archivedOutputs} outputs, {stored.Count} objects in the archive bucket, "
            + $"{archives.Copies} byte-identical copies, {archives.Conflicts.Count} conflicting");
        report.Summary.Add($"credits: {credits.Outcomes.Count} identities, {credits.Copies} byte-identical copies, {credits.Conflicts.Count} conflicting");
        report.Summary.Add($"dead letters: requested.dlq {requestedDeadLetters.Count} (poison published: {poison.Count(p => p.Where.Topic == bed.Topic(Topics.Requested))}), "
            + $"completed.dlq {completedDeadLetters.Count} (poison published: {poison.Count(p => p.Where.Topic == bed.Topic(Topics.Completed))})");
        return report;
    }

    /// <summary>
    /// The longest time an input partition went without an outcome, while requests kept arriving: what a takeover costs
    /// (about a session timeout and a rebalance), and a partition that stops for longer than that is worth a look.
    /// </summary>
    private static string LongestStall(FencedView outcomes)
    {
        var stalls = outcomes.Outcomes.Values
            .GroupBy(r => StreamHeaders.Text(r.Message.Headers, StreamHeaders.Source)?.Split('/')[^2])
            .SelectMany(partition =>
            {
                var times = partition.Select(r => r.Message.Timestamp.UtcDateTime).Order().ToList();
                return times.Zip(times.Skip(1), (from, to) => (Partition: partition.Key, From: from, To: to));
            })
            .ToList();
        if (stalls.Count == 0)
        {
            return "no outcomes";
        }

        var longest = stalls.MaxBy(s => s.To - s.From);
        return $"longest stall of an input partition: {(longest.To - longest.From).TotalSeconds:F1} s (partition {longest.Partition}, "
            + $"{longest.From:HH:mm:ss.f} to {longest.To:HH:mm:ss.f} UTC); stalls over 20 s: {stalls.Count(s => s.To - s.From > TimeSpan.FromSeconds(20))}";
    }

    /// <summary>Every expected identity seen once (after the fencing rule), nothing else, no conflicts, no output without an identity.</summary>
    private static IEnumerable<string> IdentityProblems(FencedView view, HashSet<string> expected)
    {
        var streams = view.Outcomes.Keys.ToLookup(k => k.Identity, k => k.Stream);
        return view.Conflicts
            .Concat(view.Unidentified.Select(r => $"{r.Topic}/{r.Partition.Value}@{r.Offset.Value} has no cs-identity"))
            .Concat(expected.Where(e => !streams.Contains(e)).Select(e => $"{e}: none"))
            .Concat(streams.Where(s => s.Count() > 1).Select(s => $"{s.Key}: answered by {string.Join(" and ", s)}"))
            .Concat(streams.Where(s => !expected.Contains(s.Key)).Select(s => $"{s.Key}: not a request published"));
    }

    private static List<string> DeadLetterProblems(List<ConsumeResult<string, byte[]?>> letters, IEnumerable<PoisonRecord> poison)
    {
        var view = new FencedView(letters);
        var expected = poison.ToDictionary(p => $"{p.Where.Topic}/{p.Where.Partition.Value}@{p.Where.Offset.Value}");
        var problems = view.Conflicts.Concat(view.Unidentified.Select(r => $"{r.Topic}@{r.Offset.Value}: a dead letter without cs-identity")).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var letter in view.Outcomes.Values)
        {
            var headers = letter.Message.Headers;
            var from = $"{StreamHeaders.Text(headers, StreamHeaders.DeadLetterOriginalTopic)}/{StreamHeaders.Text(headers, StreamHeaders.DeadLetterOriginalPartition)}"
                + $"@{StreamHeaders.Text(headers, StreamHeaders.DeadLetterOriginalOffset)}";
            if (!expected.TryGetValue(from, out var source))
            {
                problems.Add($"{letter.Topic}@{letter.Offset.Value}: a dead letter of {from}, which is no poison published ({StreamHeaders.Text(headers, StreamHeaders.DeadLetterReason)})");
                continue;
            }

            seen.Add(from);
            if (string.IsNullOrEmpty(StreamHeaders.Text(headers, StreamHeaders.DeadLetterReason)))
            {
                problems.Add($"the dead letter of {from} ({source.What}) has no {StreamHeaders.DeadLetterReason}");
            }

            if (!(letter.Message.Value ?? []).AsSpan().SequenceEqual(source.Value ?? []) || (letter.Message.Value is null) != (source.Value is null))
            {
                problems.Add($"the dead letter of {from} ({source.What}) does not hold its original bytes");
            }
        }

        problems.AddRange(expected.Where(e => !seen.Contains(e.Key)).Select(e => $"{e.Key} ({e.Value.What}) was not dead-lettered"));
        return problems;
    }

    private static async Task<HashSet<string>> ArchiveKeysAsync(ObjectStore store)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in store.Client.Paginators.ListObjectsV2(new ListObjectsV2Request { BucketName = store.Options.ArchiveBucket }).S3Objects)
        {
            keys.Add(item.Key);
        }

        return keys;
    }

    private static List<string> Problems(params (bool Violated, string Problem)[] checks) => [.. checks.Where(c => c.Violated).Select(c => c.Problem)];

    private sealed record PoisonRecord(TopicPartitionOffset Where, string What, byte[]? Value);

    private sealed class RunReport
    {
        public List<string> OutcomeProblems { get; } = [];

        public List<string> FailedProblems { get; } = [];

        public List<string> ArchiveProblems { get; } = [];

        public List<string> CreditProblems { get; } = [];

        public List<string> DeadLetterProblems { get; } = [];

        public List<string> Summary { get; } = [];
    }
}
