using CinematicSwitch.Providers.Simulators;
using Microsoft.Extensions.Configuration;

// Runs the three simulators until Ctrl+C. Settings come from "Simulators:*" (appsettings, environment as
// Simulators__ReplicatePort, or --Simulators:LatencyMs=200 on the command line).
var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
var options = new SimulatorOptions();
configuration.GetSection("Simulators").Bind(options);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

await using var simulators = await ProviderSimulators.StartAsync(options, stop.Token);
foreach (var (key, value) in simulators.ProviderConfiguration())
{
    Console.WriteLine($"{key}={value}");
}

Console.WriteLine("Control API: GET /_sim/jobs, GET /_sim/requests, POST|GET|DELETE /_sim/faults, PUT /_sim/latency on each base URL's origin.");
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C or process exit: dispose and stop.
}
