using System.Diagnostics;
using System.Globalization;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>One output as it first appeared: when it was published (its record timestamp), what it answers, and the input partition it came from.</summary>
internal sealed record Completion(DateTime PublishedAt, string Identity, int SourcePartition, ConsumeResult<byte[], byte[]> Record);

/// <summary>Collects the records arriving on topics from their end when it started.</summary>
internal sealed class OutputWatcher : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Dictionary<string, Completion> _first = new(StringComparer.Ordinal);
    private (TimeSpan Cpu, TimeSpan Wall)? _atFirst;
    private (TimeSpan Cpu, TimeSpan Wall)? _atEnd;

    public OutputWatcher(string bootstrapServers, params string[] topics)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"watcher-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            // The embedded cluster does not answer a held fetch when data arrives (as the stack's services, see KafkaOptions).
            FetchWaitMaxMs = 10,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = topics.SelectMany(t => admin.GetMetadata(t, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(t, p.PartitionId)));
        _consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, _consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High)));
    }

    /// <summary>
    /// Each distinct output once, in arrival order: a record with the identity (cs-identity) of one seen before is a new
    /// owner's copy of an output its predecessor had published, and readers ignore it. Records the runtime did not write
    /// (a raw copy's) count each.
    /// </summary>
    public IReadOnlyCollection<Completion> Completions => _first.Values;

    /// <summary>Records received, copies included.</summary>
    public int Received { get; private set; }

    /// <summary>
    /// The CPU this process used from the first output's arrival to the last's, in cores: where the system under test runs in
    /// this process (with the embedded cluster and the simulators), whether it was short of CPU.
    /// </summary>
    public double ProcessCores => _atFirst is { } first && _atEnd is { } end && end.Wall > first.Wall
        ? (end.Cpu - first.Cpu) / (end.Wall - first.Wall)
        : double.NaN;

    /// <summary>Waits until <paramref name="count"/> distinct outputs arrived.</summary>
    public void WaitFor(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (_first.Count < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Only {_first.Count} of {count} outputs arrived within {timeout}.");
            }

            if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                _atFirst ??= CpuAndWall();
                Received++;
                var completion = Read(record);
                _first.TryAdd(completion.Identity, completion);
            }
        }

        _atEnd = CpuAndWall();
    }

    /// <summary>Outputs per second between the first and the last publication (record timestamps: the watcher's own delays do not count).</summary>
    public double Rate => RateAfter(0);

    /// <summary>Outputs per second from the publication that follows the first <paramref name="share"/> of them to the last: the rate once started.</summary>
    public double RateAfter(double share)
    {
        var times = _first.Values.Select(c => c.PublishedAt).Order().ToList();
        var from = (int)(share * times.Count);
        return times.Count - from < 2 ? 0 : (times.Count - 1 - from) / (times[^1] - times[from]).TotalSeconds;
    }

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }

    private static (TimeSpan Cpu, TimeSpan Wall) CpuAndWall()
    {
        using var process = Process.GetCurrentProcess();
        return (process.TotalProcessorTime, TimeSpan.FromTicks(Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / Stopwatch.Frequency));
    }

    private static Completion Read(ConsumeResult<byte[], byte[]> record)
    {
        var headers = record.Message.Headers;
        var identity = StreamHeaders.Text(headers, StreamHeaders.Identity) ?? record.TopicPartitionOffset.ToString();
        // cs-source is "topic/partition/offset" of the input record; topics have no '/'.
        var source = StreamHeaders.Text(headers, StreamHeaders.Source)?.Split('/') is [_, var partition, _]
            ? int.Parse(partition, CultureInfo.InvariantCulture)
            : -1;
        return new Completion(record.Message.Timestamp.UtcDateTime, identity, source, record);
    }
}
