using CinematicSwitch.Ops.Cli;

return await OpsCommandLine.RunAsync(args, OpsEnvironment.FromProcess());
