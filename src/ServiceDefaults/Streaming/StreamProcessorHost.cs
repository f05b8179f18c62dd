using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Processing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Streaming;

/// <summary>Runs a <see cref="StreamProcessor{TValue}"/> for the life of the host; SIGTERM drains it.</summary>
internal sealed class StreamProcessorHost<TValue>(
    KafkaClientFactory clients,
    IOptions<StreamProcessorOptions> options,
    StreamTopics topics,
    IStreamHandler<TValue> handler,
    ILoggerFactory loggers) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var processor = new StreamProcessor<TValue>(clients, options.Value, topics, handler,
            loggers.CreateLogger($"StreamProcessor.{typeof(TValue).Name}"));
        await processor.RunAsync(stoppingToken);
    }
}
