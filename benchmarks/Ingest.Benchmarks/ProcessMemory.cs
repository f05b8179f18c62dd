namespace CinematicSwitch.Ingest.Benchmarks;

/// <summary>
/// Resident memory of a process from /proc: the current RSS and the peak since the last reset (VmHWM; writing 5 to
/// clear_refs resets it), so each scenario's peak is its own.
/// </summary>
internal sealed class ProcessMemory(int processId)
{
    public static ProcessMemory Self => new(Environment.ProcessId);

    public void ResetPeak() => File.WriteAllText($"/proc/{processId}/clear_refs", "5");

    public long Resident => Read("VmRSS:");

    public long Peak => Read("VmHWM:");

    private long Read(string field)
    {
        var line = File.ReadLines($"/proc/{processId}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
    }
}
