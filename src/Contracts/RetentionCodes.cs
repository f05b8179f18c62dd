namespace CinematicSwitch.Contracts;

/// <summary>Codes that say data is gone by retention (README, "Retention"), the same wherever they show.</summary>
public static class RetentionCodes
{
    /// <summary>
    /// A request's uploaded input no longer exists: deleted once its outcome was final and the keep time had passed. An
    /// ops replay refuses such a request with this reason; a replay reaching the processor anyway fails INVALID_INPUT
    /// with this in its details' "code".
    /// </summary>
    public const string InputExpired = "INPUT_EXPIRED";
}
