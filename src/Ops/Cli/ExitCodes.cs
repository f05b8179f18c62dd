namespace CinematicSwitch.Ops.Cli;

/// <summary>What the exit status means, for scripts (README, "Operations").</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The cluster, the registry, S3 or a topic could not be reached or read; or some object could not be deleted.</summary>
    public const int Failure = 1;

    /// <summary>An invalid command line or configuration.</summary>
    public const int Usage = 2;

    /// <summary>topology apply found topics missing or different from the topology.</summary>
    public const int TopologyMismatch = 3;

    /// <summary>A replay ran, but some records could not be published.</summary>
    public const int ReplayErrors = 4;

    /// <summary>A show command found nothing under the id it was given.</summary>
    public const int NotFound = 5;

    /// <summary>Interrupted (Ctrl-C) before the command finished.</summary>
    public const int Interrupted = 130;
}

/// <summary>A failure to report to the operator as it is (no stack trace), with its exit status.</summary>
internal sealed class OpsException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
