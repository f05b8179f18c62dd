using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Streaming.Clients;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ops.Connection;

/// <summary>One command's connections: the Kafka client factory and, when a command needs them, the registry's serdes and S3.</summary>
internal sealed class OpsSession : IDisposable
{
    private readonly Lazy<KafkaClientFactory> _clients;
    private readonly Lazy<EventSerdes> _serdes;
    private readonly Lazy<ObjectStore> _store;

    public OpsSession(OpsSettings settings, OpsConsole console, ILoggerFactory loggers, TimeProvider time)
    {
        Settings = settings;
        Console = console;
        Time = time;
        _clients = new Lazy<KafkaClientFactory>(() => new KafkaClientFactory(Options.Create(settings.Kafka), loggers));
        _serdes = new Lazy<EventSerdes>(() => new EventSerdes(settings.ValidSchemaRegistry()));
        _store = new Lazy<ObjectStore>(() => new ObjectStore(S3ClientFactory.Create(settings.S3), Options.Create(settings.S3), time));
    }

    public OpsSettings Settings { get; }

    public OpsConsole Console { get; }

    public TimeProvider Time { get; }

    public KafkaClientFactory Clients => _clients.Value;

    public EventSerdes Serdes => _serdes.Value;

    /// <summary>The inputs and archive buckets (for commands that check or delete media).</summary>
    public ObjectStore Store => _store.Value;

    public TopicScanner Scanner => new(Clients, Time);

    /// <summary>The real name of a contract topic under the configured prefix.</summary>
    public string Topic(string contractName) => Settings.Kafka.Topic(contractName);

    public void Dispose()
    {
        if (_serdes.IsValueCreated)
        {
            _serdes.Value.Dispose();
        }

        if (_store.IsValueCreated)
        {
            _store.Value.Client.Dispose();
        }
    }
}
