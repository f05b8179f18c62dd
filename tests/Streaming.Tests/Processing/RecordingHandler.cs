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

/// <summary>What the test handler publishes for a command: "done:{id}".</summary>
public sealed record TestDone(string Id);

/// <summary>The test stream's serdes: commands in, "done:{id}" out. Anything else does not decode.</summary>
public sealed class TestSerdes : IAsyncDeserializer<TestCommand>, IAsyncSerializer<TestDone>
{
    public Task<TestCommand> DeserializeAsync(ReadOnlyMemory<byte> data, bool isNull, SerializationContext context)
    {
        var parts = Encoding.UTF8.GetString(data.Span).Split('|');
        return parts.Length == 3 && int.TryParse(parts[1], out var delay)
            ? Task.FromResult(new TestCommand(parts[0], delay, parts[2] == "1"))
            : throw new FormatException("not a test command");
    }

    public Task<byte[]> SerializeAsync(TestDone data, SerializationContext context) => Task.FromResult(Encoding.UTF8.GetBytes($"done:{data.Id}"));
}

/// <summary>
/// A handler that records what ran, when, and how many ran at once per key, and publishes "done:{id}".
/// It saves "started:{id}" as its state before working, and reports whether it found state left by a
/// previous owner.
/// </summary>
public sealed class RecordingHandler : IStreamHandler<TestCommand, TestCommand>
{
    private readonly ConcurrentDictionary<string, int> _activePerKey = new();
    private int _active;

    public ConcurrentQueue<(string? Key, string Id)> Started { get; } = new();

    public ConcurrentQueue<string> Resumed { get; } = new();

    public int MaxActivePerKey { get; private set; }

    public int MaxActive { get; private set; }

    /// <summary>Once set, commands that fail by design succeed (the cause of their dead letters is fixed).</summary>
    public bool FailuresFixed { get; set; }

    public PreparedRecord<TestCommand> Prepare(TestCommand value, string? key) =>
        value.Id.Length == 0 ? throw new PoisonRecordException("a command without an id") : new(value.Id, "test", value);

    public async Task<IReadOnlyList<object>> HandleAsync(StreamRecord<TestCommand> record, IRecordState state, CancellationToken cancellationToken)
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
            Started.Enqueue((record.Key, record.Work.Id));
            await state.SaveAsync(Encoding.UTF8.GetBytes($"started:{record.Work.Id}"), cancellationToken);
            await Task.Delay(record.Work.DelayMs, cancellationToken);
            if (record.Work.Fail && !FailuresFixed)
            {
                throw new InvalidOperationException($"command {record.Work.Id} fails by design");
            }

            return [new TestDone(record.Work.Id)];
        }
        finally
        {
            _activePerKey.AddOrUpdate(key, 0, (_, n) => n - 1);
            Interlocked.Decrement(ref _active);
        }
    }
}
