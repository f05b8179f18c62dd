using System.Collections.Concurrent;
using System.Text;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests.Processing;

/// <summary>A command of the test handler, encoded as "id|delayMs|fail".</summary>
public sealed record TestCommand(string Id, int DelayMs, bool Fail)
{
    public byte[] Encode() => Encoding.UTF8.GetBytes($"{Id}|{DelayMs}|{(Fail ? 1 : 0)}");
}

/// <summary>
/// A handler that records what ran, when, and how many ran at once per key, and publishes "done:{id}".
/// It saves "started:{id}" as its state before working, and reports whether it found state left by a
/// previous owner.
/// </summary>
public sealed class RecordingHandler(string outputTopic) : IStreamHandler<TestCommand>
{
    private readonly ConcurrentDictionary<string, int> _activePerKey = new();
    private int _active;

    public ConcurrentQueue<(string? Key, string Id)> Started { get; } = new();

    public ConcurrentQueue<string> Resumed { get; } = new();

    public int MaxActivePerKey { get; private set; }

    public int MaxActive { get; private set; }

    /// <summary>Once set, commands that fail by design succeed (the cause of their dead letters is fixed).</summary>
    public bool FailuresFixed { get; set; }

    public ValueTask<TestCommand> DecodeAsync(ConsumeResult<byte[]?, byte[]?> record, CancellationToken cancellationToken)
    {
        var parts = Encoding.UTF8.GetString(record.Message.Value ?? []).Split('|');
        return parts.Length == 3 && int.TryParse(parts[1], out var delay)
            ? ValueTask.FromResult(new TestCommand(parts[0], delay, parts[2] == "1"))
            : throw new FormatException("not a test command");
    }

    public string IdentityOf(TestCommand value) => value.Id;

    public string LaneOf(TestCommand value) => "test";

    public async Task<IReadOnlyList<OutputRecord>> HandleAsync(StreamRecord<TestCommand> record, IRecordState state, CancellationToken cancellationToken)
    {
        if (state.Payload is { } previous)
        {
            Resumed.Enqueue(Encoding.UTF8.GetString(previous));
        }

        var key = record.Key ?? "";
        var perKey = _activePerKey.AddOrUpdate(key, 1, (_, n) => n + 1);
        var active = Interlocked.Increment(ref _active);
        lock (_activePerKey)
        {
            MaxActivePerKey = Math.Max(MaxActivePerKey, perKey);
            MaxActive = Math.Max(MaxActive, active);
        }

        try
        {
            Started.Enqueue((record.Key, record.Value.Id));
            await state.SaveAsync(Encoding.UTF8.GetBytes($"started:{record.Value.Id}"), cancellationToken);
            await Task.Delay(record.Value.DelayMs, cancellationToken);
            if (record.Value.Fail && !FailuresFixed)
            {
                throw new InvalidOperationException($"command {record.Value.Id} fails by design");
            }

            return [new OutputRecord("out", outputTopic, Encoding.UTF8.GetBytes($"done:{record.Value.Id}"))];
        }
        finally
        {
            _activePerKey.AddOrUpdate(key, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _active);
        }
    }
}
