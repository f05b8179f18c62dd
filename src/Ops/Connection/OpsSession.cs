using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.SchemaRegistry.Serdes;
using CinematicSwitch.Streaming.Clients;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ops.Connection;

/// <summary>One command's connections: the Kafka client factory and, when a command needs it, the registry's serdes.</summary>
internal sealed class OpsSession : IDisposable
{
    private readonly Lazy<KafkaClientFactory> _clients;
    private readonly Lazy<EventSerdes> _serdes;

    public OpsSession(OpsSettings settings, OpsConsole console, ILoggerFactory loggers, TimeProvider time)
    {
        Settings = settings;
        Console = console;
        Time = time;
        _clients = new Lazy<KafkaClientFactory>(() => new KafkaClientFactory(Options.Create(settings.Kafka), loggers));
        _serdes = new Lazy<EventSerdes>(() => new EventSerdes(settings.ValidSchemaRegistry()));
    }

    public OpsSettings Settings { get; }

    public OpsConsole Console { get; }

    public TimeProvider Time { get; }

    public KafkaClientFactory Clients => _clients.Value;

    public EventSerdes Serdes => _serdes.Value;

    public TopicScanner Scanner => new(Clients);

    /// <summary>The real name of a contract topic under the configured prefix.</summary>
    public string Topic(string contractName) => Settings.Kafka.Topic(contractName);

    public void Dispose()
    {
        if (_serdes.IsValueCreated)
        {
            _serdes.Value.Dispose();
        }
    }
}
