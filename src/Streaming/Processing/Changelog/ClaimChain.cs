namespace CinematicSwitch.Streaming.Processing.Changelog;

/// <summary>
/// Which claim is in force at each point of a changelog partition, read in offset order. A claim names the claim it
/// supersedes (the one in force where its writer read the log to its end) and takes force only where that claim is still
/// in force: a claim that lands late (its write retried by the producer through a broker outage, after a newer owner's
/// claim) supersedes nothing, so it cannot fence the owner that came after it.
/// </summary>
internal sealed class ClaimChain
{
    /// <summary>No claim yet.</summary>
    public const long None = -1;

    /// <summary>The offset of the claim in force (the epoch whose entries count here), or <see cref="None"/>.</summary>
    public long InForce { get; private set; } = None;

    /// <summary>Takes the claim at <paramref name="offset"/> into account; true if it took force.</summary>
    public bool Apply(long offset, long supersedes)
    {
        if (supersedes != InForce)
        {
            return false;
        }

        InForce = offset;
        return true;
    }

    /// <summary>Whether an entry of <paramref name="epoch"/> lying at the current point counts.</summary>
    public bool Counts(long epoch) => epoch == InForce;
}
