using System.Diagnostics.Metrics;
using System.Text;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Streaming.Processing;
using CinematicSwitch.Streaming.Processing.Changelog;
using CinematicSwitch.Streaming.Processing.Output;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>The key-parallel processor over the embedded cluster: parallelism, ordering, DLQ, recovery, rebalance.</summary>
[Trait("Category", "Stack")]
public sealed class StreamProcessorTests
{
    [Fact]
    public async Task Keys_of_one_partition_run_in_parallel_each_key_serially_and_every_record_once()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "parallel", partitions: 2);
        var commands = Enumerable.Range(0, 100).Select(i => (Key: $"tenant-{i % 20}", Command: new TestCommand($"c{i:D3}", 50, false))).ToList();
        await harness.ProduceAsync(commands.Select(c => (c.Key, c.Command.Encode())));

        var handler = harness.Start(harness.Options(maxInFlight: 16));
        var outputs = await harness.OutputsAsync(commands.Count);
        await harness.WaitForCommittedAsync(commands.Count, TimeSpan.FromSeconds(60));

        Assert.Equal(commands.Select(c => "done:" + c.Command.Id).Order(), outputs.Order());
        Assert.Equal(1, handler.MaxActivePerKey);
        Assert.InRange(handler.MaxActive, 2, 16);
        foreach (var tenant in commands.GroupBy(c => c.Key))
        {
            Assert.Equal(tenant.Select(c => c.Command.Id), handler.Started.Where(s => s.Key == tenant.Key).Select(s => s.Id));
        }
    }

    [Fact]
    public async Task An_undecodable_record_goes_to_the_dead_letter_topic_with_its_reason_and_the_partition_moves_on()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "dlq", partitions: 1);
        var garbage = new byte[] { 0xde, 0xad, 0xbe, 0xef };
        await harness.ProduceAsync([
            ("t1", new TestCommand("before", 0, false).Encode()),
            ("t1", garbage),
            ("t1", new TestCommand("failing", 0, true).Encode()),
            ("t1", new TestCommand("after", 0, false).Encode()),
        ]);

        harness.Start();
        var outputs = await harness.OutputsAsync(2);
        await harness.WaitForCommittedAsync(4, TimeSpan.FromSeconds(60));

        Assert.Equal(["done:before", "done:after"], outputs);
        var dead = await TopicReader.ReadAsync<string, byte[]>(stack.Kafka.BootstrapServers, harness.Topics.DeadLetter, 2);
        Assert.Equal(2, dead.Count);
        var undecodable = dead[0];
        Assert.Equal(garbage, undecodable.Message.Value);
        Assert.Equal("t1", undecodable.Message.Key);
        Assert.Equal("undecodable: FormatException: not a test command", Header(undecodable, StreamHeaders.DeadLetterReason));
        Assert.Equal(harness.Topics.Input, Header(undecodable, StreamHeaders.DeadLetterOriginalTopic));
        Assert.Equal("0", Header(undecodable, StreamHeaders.DeadLetterOriginalPartition));
        Assert.Equal("1", Header(undecodable, StreamHeaders.DeadLetterOriginalOffset));
        Assert.NotNull(Header(undecodable, StreamHeaders.DeadLetterFailedAt));

        var failing = dead[1];
        Assert.Equal(new TestCommand("failing", 0, true).Encode(), failing.Message.Value);
        Assert.StartsWith("processing-failed: command failing fails by design", Header(failing, StreamHeaders.DeadLetterReason), StringComparison.Ordinal);
        Assert.Equal("3", Header(failing, StreamHeaders.DeadLetterAttempts));
    }

    [Fact]
    public async Task A_dead_letter_sent_back_by_an_operator_runs_again_once_but_a_plain_duplicate_of_it_does_not()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "dlq-replay", partitions: 1);
        var failing = new TestCommand("flaky", 0, true).Encode();
        await harness.ProduceAsync([("t1", failing)]);
        var handler = harness.Start();
        await TopicReader.ReadAsync<string, byte[]>(stack.Kafka.BootstrapServers, harness.Topics.DeadLetter, 1);
        await harness.WaitForCommittedAsync(1, TimeSpan.FromSeconds(60));

        handler.FailuresFixed = true;
        var replayed = new Headers { { StreamHeaders.ReplayedFrom, Encoding.UTF8.GetBytes($"{harness.Topics.DeadLetter}/0/0") } };
        await harness.ProduceAsync([("t1", failing)]);
        await harness.ProduceAsync([("t1", failing)], replayed);
        await harness.ProduceAsync([("t1", failing)], replayed);
        await harness.ProduceAsync([("t1", new TestCommand("marker", 0, false).Encode())]);
        await harness.WaitForCommittedAsync(5, TimeSpan.FromSeconds(60));

        // Three failed attempts, then exactly one run for the three later copies: only the first replay gets through.
        Assert.Equal(["done:flaky", "done:marker"], await harness.OutputsAsync(2));
        Assert.Equal(4, handler.Started.Count(s => s.Id == "flaky"));
    }

    [Fact]
    public async Task A_crashed_owners_decision_is_not_published_twice_and_its_work_in_progress_resumes_from_its_state()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "recovery", partitions: 1);
        await harness.ProduceAsync([
            ("t1", new TestCommand("answered", 0, false).Encode()),
            ("t1", new TestCommand("in-progress", 0, false).Encode()),
            ("t1", new TestCommand("fresh", 0, false).Encode()),
        ]);

        // What a crashed owner leaves behind: its claim; the decision of offset 0, whose output went out, neither committed;
        // and the saved state of offset 1, whose work was under way.
        var output = new TopicPartitionOffset(harness.Topics.Input, 0, 0);
        var outputs = new[] { new StoredOutput(harness.Topics.Outputs[0], 0, Encoding.UTF8.GetBytes("t1"), Encoding.UTF8.GetBytes("done:answered"),
            OutputEncoder.RuntimeHeaders("answered", 0, output, 0)) };
        using (var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("crashed-owner"))
        {
            async Task WriteAsync(ChangelogEntry entry) => await producer.ProduceAsync(new TopicPartition(harness.Topics.State, 0),
                new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(entry.Key), Value = entry.Serialize() });
            await WriteAsync(ChangelogEntry.Claim("crashed", ClaimChain.None, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Decision, "answered", 0, 0, DateTimeOffset.UtcNow, Outputs: outputs,
                ScanFrom: new Dictionary<string, long> { [PartitionLedger.ScanKey(harness.Topics.Outputs[0], 0)] = 0 }));
            await WriteAsync(new ChangelogEntry(EntryKind.Journal, "in-progress", 0, 1, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("job-42")));
            var published = outputs[0];
            var headers = new Headers();
            foreach (var header in published.Headers)
            {
                headers.Add(header.Name, header.Value);
            }

            await producer.ProduceAsync(new TopicPartition(published.Topic, published.Partition),
                new Message<byte[]?, byte[]?> { Key = published.Key, Value = published.Value, Headers = headers });
        }

        var handler = harness.Start();
        await harness.WaitForCommittedAsync(3, TimeSpan.FromSeconds(60));

        Assert.Equal(["done:answered", "done:fresh", "done:in-progress"], (await harness.OutputsAsync(3)).Order());
        Assert.Equal(["fresh", "in-progress"], handler.Started.Select(s => s.Id).Order());
        Assert.Equal(["job-42"], handler.Resumed);
    }

    [Fact]
    public async Task A_write_that_lands_after_a_newer_claim_does_not_hide_its_writers_earlier_entry()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "late-write", partitions: 1);
        await harness.ProduceAsync([("t1", new TestCommand("in-progress", 0, false).Encode())]);

        // Owner A (epoch 0) saved its work's state; owner B claimed the partition and crashed; then a write of A that the
        // producer had kept retrying through an outage landed, after B's claim: invalid, and the same identity and epoch.
        using (var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("earlier-owners"))
        {
            async Task WriteAsync(ChangelogEntry entry) => await producer.ProduceAsync(new TopicPartition(harness.Topics.State, 0),
                new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(entry.Key), Value = entry.Serialize() });
            await WriteAsync(ChangelogEntry.Claim("a", ClaimChain.None, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Journal, "in-progress", 0, 0, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("job-42")));
            await WriteAsync(ChangelogEntry.Claim("b", 0, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Journal, "in-progress", 0, 0, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("job-43")));
        }

        var handler = harness.Start();
        await harness.WaitForCommittedAsync(1, TimeSpan.FromSeconds(60));

        Assert.Equal(["job-42"], handler.Resumed);
    }

    [Fact]
    public async Task A_claim_that_lands_after_a_newer_claim_fences_no_one()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "late-claim", partitions: 1);
        await harness.ProduceAsync([("t1", new TestCommand("in-progress", 0, false).Encode())]);

        // Member X read the empty changelog and sent its claim, which the producer kept retrying through an outage while
        // X lost the partition; owner A read the same empty log, claimed it (epoch 0) and saved its work's state after X's
        // claim finally landed. A's entry counts: X's claim superseded a claim no longer in force.
        using (var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("earlier-owners"))
        {
            async Task WriteAsync(ChangelogEntry entry) => await producer.ProduceAsync(new TopicPartition(harness.Topics.State, 0),
                new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(entry.Key), Value = entry.Serialize() });
            await WriteAsync(ChangelogEntry.Claim("a", ClaimChain.None, DateTimeOffset.UtcNow));
            await WriteAsync(ChangelogEntry.Claim("x", ClaimChain.None, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Journal, "in-progress", 0, 0, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("job-42")));
        }

        var handler = harness.Start();
        await harness.WaitForCommittedAsync(1, TimeSpan.FromSeconds(60));

        Assert.Equal(["job-42"], handler.Resumed);
    }

    [Fact]
    public async Task A_member_whose_lease_ran_out_takes_its_partition_over_again_and_sees_what_a_successor_did_meanwhile()
    {
        using var kafka = TestKafka.StartPrivate(brokers: 1);
        await using var harness = await StreamProcessorHarness.CreateAsync(kafka, "lapsed", partitions: 1);
        await harness.ProduceAsync([("t1", new TestCommand("slow", 15_000, false).Encode())]);
        var handler = harness.Start();
        for (var wait = 0; wait < 600 && handler.Started.IsEmpty; wait++)
        {
            await Task.Delay(100);
        }

        Assert.Single(handler.Started);

        // The member's commits fail for longer than its lease (a session of 6 s: 4.3 s), as through a coordinator outage;
        // meanwhile a successor claims the partition and saves the work's state. Commits then succeed again, in the same
        // generation as far as the client can tell.
        kafka.Faults.InjectRequestErrors(KafkaApi.OffsetCommit, Enumerable.Repeat(ErrorCode.OffsetMetadataTooLarge, 40).ToArray());
        using (var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("successor"))
        {
            async Task WriteAsync(ChangelogEntry entry) => await producer.ProduceAsync(new TopicPartition(harness.Topics.State, 0),
                new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(entry.Key), Value = entry.Serialize() });
            // The member's claim is at offset 0 (epoch 0) and its saved state at 1: the successor's claim lands at 2.
            await WriteAsync(ChangelogEntry.Claim("successor", 0, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Journal, "slow", 2, 0, DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("job-43")));
        }

        await harness.WaitForCommittedAsync(1, TimeSpan.FromSeconds(120));

        // The work in hand stopped when the lease lapsed; taken over again, the partition's changelog showed the successor's state.
        Assert.Equal(["job-43"], handler.Resumed);
        Assert.Equal(["done:slow"], await harness.OutputsAsync(1));
    }

    [Fact]
    public async Task A_processor_whose_lease_would_not_outlast_three_commit_intervals_does_not_start()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "short-lease", partitions: 1);

        // A session of 6 s leaves a lease of 4.3 s: commits every 1.5 s would let it run out between two of them.
        var options = harness.Options();
        options.CommitInterval = TimeSpan.FromMilliseconds(1500);
        var error = Assert.Throws<ArgumentException>(() => harness.Start(options));

        Assert.Contains("at least three CommitIntervals", error.Message, StringComparison.Ordinal);
        options.CommitInterval = TimeSpan.FromMilliseconds(1400);
        harness.Start(options);
    }

    [Fact]
    public async Task A_poison_record_dead_lettered_before_a_crash_is_neither_dead_lettered_nor_counted_again()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "dlq-recovered", partitions: 1);
        var garbage = new byte[] { 0xde, 0xad };
        await harness.ProduceAsync([("t1", garbage), ("t1", new TestCommand("good", 0, false).Encode())]);

        // A crashed owner dead-lettered offset 0 (its decision written, its letter out) and committed nothing.
        var source = new TopicPartitionOffset(harness.Topics.Input, 0, 0);
        var raw = new ConsumeResult<byte[]?, byte[]?>
        {
            TopicPartitionOffset = source,
            Message = new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes("t1"), Value = garbage, Headers = [] },
        };
        var identity = DeadLetters.IdentityOf(source);
        var letter = DeadLetters.Build(harness.Topics.DeadLetter, raw, identity, 0, "undecodable", new PoisonRecordException("not a test command"), 1,
            DateTimeOffset.UtcNow);
        using (var producer = harness.Clients.CreateProducer<byte[]?, byte[]?>("crashed-owner"))
        {
            async Task WriteAsync(ChangelogEntry entry) => await producer.ProduceAsync(new TopicPartition(harness.Topics.State, 0),
                new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes(entry.Key), Value = entry.Serialize() });
            await WriteAsync(ChangelogEntry.Claim("crashed", ClaimChain.None, DateTimeOffset.UtcNow));
            await WriteAsync(new ChangelogEntry(EntryKind.Decision, identity, 0, 0, DateTimeOffset.UtcNow, Outputs: [letter],
                ScanFrom: new Dictionary<string, long> { [PartitionLedger.ScanKey(harness.Topics.DeadLetter, 0)] = 0 }, DeadLettered: true));
            var headers = new Headers();
            foreach (var header in letter.Headers)
            {
                headers.Add(header.Name, header.Value);
            }

            await producer.ProduceAsync(new TopicPartition(letter.Topic, letter.Partition),
                new Message<byte[]?, byte[]?> { Key = letter.Key, Value = letter.Value, Headers = headers });
        }

        long deadLettered = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "cinematic.stream.dead_lettered")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "group", Value: string group } && group == harness.Group)
                {
                    Interlocked.Add(ref deadLettered, value);
                }
            }
        });
        listener.Start();

        harness.Start();
        await harness.WaitForCommittedAsync(2, TimeSpan.FromSeconds(60));

        Assert.Equal(["done:good"], await harness.OutputsAsync(1));
        Assert.Single(await TopicReader.ReadAsync<string, byte[]>(stack.Kafka.BootstrapServers, harness.Topics.DeadLetter, 1));
        Assert.Equal(0, Interlocked.Read(ref deadLettered));
    }

    [Fact]
    public async Task A_second_instance_joining_mid_run_loses_and_doubles_nothing()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "rebalance", partitions: 4);
        var commands = Enumerable.Range(0, 240).Select(i => (Key: $"tenant-{i % 24}", Command: new TestCommand($"r{i:D3}", 250, false))).ToList();
        await harness.ProduceAsync(commands.Select(c => (c.Key, c.Command.Encode())));

        var first = harness.Start(harness.Options(maxInFlight: 4));
        SpinWait.SpinUntil(() => first.Started.Count >= 30, TimeSpan.FromSeconds(60));
        var second = harness.Start(harness.Options(maxInFlight: 4));

        var outputs = await harness.OutputsAsync(commands.Count);
        await harness.WaitForCommittedAsync(commands.Count, TimeSpan.FromSeconds(120));

        Assert.Equal(commands.Select(c => "done:" + c.Command.Id).Order(), outputs.Order());
        Assert.NotEmpty(second.Started);
    }

    [Fact]
    public async Task Graceful_shutdown_commits_what_finished_and_a_restart_finishes_the_rest_once()
    {
        var stack = await SharedStack.GetAsync();
        await using var harness = await StreamProcessorHarness.CreateAsync(stack.Kafka, "shutdown", partitions: 2);
        var commands = Enumerable.Range(0, 60).Select(i => (Key: $"tenant-{i % 6}", Command: new TestCommand($"s{i:D2}", 200, false))).ToList();
        await harness.ProduceAsync(commands.Select(c => (c.Key, c.Command.Encode())));

        var first = harness.Start(harness.Options(maxInFlight: 4));
        SpinWait.SpinUntil(() => first.Started.Count >= 10, TimeSpan.FromSeconds(60));
        await harness.StopAllAsync();

        harness.Start();
        var outputs = await harness.OutputsAsync(commands.Count);
        await harness.WaitForCommittedAsync(commands.Count, TimeSpan.FromSeconds(60));
        Assert.Equal(commands.Select(c => "done:" + c.Command.Id).Order(), outputs.Order());
    }

    private static string? Header(ConsumeResult<string, byte[]> record, string name) =>
        record.Message.Headers.TryGetLastBytes(name, out var value) ? Encoding.UTF8.GetString(value) : null;
}
