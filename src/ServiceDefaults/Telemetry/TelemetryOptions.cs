namespace CinematicSwitch.ServiceDefaults.Telemetry;

/// <summary>Where a person can read traces without a tracing backend. Bound from the "Telemetry" configuration section.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// A directory where each process writes every span it finishes as one readable line, to
    /// "{service}-{process id}.log" (see <see cref="TraceFileExporter"/>); unset: no trace files. The embedded stack
    /// sets it to .devstack/traces. OTLP export is configured by the standard OTEL_* variables instead.
    /// </summary>
    public string? TraceDirectory { get; set; }
}
