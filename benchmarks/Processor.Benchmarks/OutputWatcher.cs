using System.Diagnostics;
using Confluent.Kafka;

namespace CinematicSwitch.Processor.Benchmarks;

/// <summary>Counts records arriving on topics, with the time each arrived, from their end when it started.</summary>
internal sealed class OutputWatcher : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;

    public OutputWatcher(string bootstrapServers, params string[] topics)
    {
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"watcher-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        var partitions = topics.SelectMany(t => admin.GetMetadata(t, TimeSpan.FromSeconds(10)).Topics.Single().Partitions
            .Select(p => new TopicPartition(t, p.PartitionId)));
        _consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, _consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High)));
    }

    public List<(TimeSpan At, ConsumeResult<byte[], byte[]> Record)> Arrivals { get; } = [];

    /// <summary>Waits for <paramref name="count"/> records; returns the time from the first to the last.</summary>
    public TimeSpan WaitFor(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Arrivals.Count < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Only {Arrivals.Count} of {count} outputs arrived within {timeout}.");
            }

            if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
            {
                Arrivals.Add((clock.Elapsed, record));
            }
        }

        return Arrivals[^1].At - Arrivals[0].At;
    }

    /// <summary>Records per second between the first and the last arrival.</summary>
    public double Rate => Arrivals.Count < 2 ? 0 : (Arrivals.Count - 1) / (Arrivals[^1].At - Arrivals[0].At).TotalSeconds;

    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
    }
}
