using System.CommandLine;
using CinematicSwitch.Ops.Credits;
using CinematicSwitch.Ops.DeadLetters;
using CinematicSwitch.Ops.Failures;
using CinematicSwitch.Ops.Status;
using CinematicSwitch.Ops.Tenants;
using CinematicSwitch.Ops.Topology;

namespace CinematicSwitch.Ops.Cli;

/// <summary>The cinematic-ops command line.</summary>
internal static class OpsCommandLine
{
    public static async Task<int> RunAsync(string[] args, OpsEnvironment environment, CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions();
        var runner = new CommandRunner(globals, environment);
        var root = new RootCommand("cinematic-ops: inspect and replay failed requests and dead letters, report topics and lag, apply the topology, sum credits, delete a tenant's data.")
        {
            FailedCommands.Create(runner),
            DeadLetterCommands.Create(runner),
            TopicsCommands.Create(runner),
            TopologyCommands.Create(runner),
            CreditsCommands.Create(runner),
            TenantCommands.Create(runner),
        };
        globals.AddTo(root);

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await environment.Error.WriteLineAsync(error.Message);
            }

            await environment.Error.WriteLineAsync("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        return await result.InvokeAsync(new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
        }, cancellationToken);
    }
}
