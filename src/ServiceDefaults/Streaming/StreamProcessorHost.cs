using CinematicSwitch.Streaming.Processing;
using Microsoft.Extensions.Hosting;

namespace CinematicSwitch.ServiceDefaults.Streaming;

/// <summary>Runs a <see cref="StreamProcessor{TIn,TWork}"/> for the life of the host; SIGTERM drains it.</summary>
internal sealed class StreamProcessorHost<TIn, TWork>(Func<StreamProcessor<TIn, TWork>> create) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var processor = create();
        await processor.RunAsync(stoppingToken);
    }
}
