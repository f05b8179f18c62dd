using CinematicSwitch.Streaming.Processing.Ownership;

namespace CinematicSwitch.Streaming.Processing.Execution;

internal static class HandOver
{
    /// <summary>
    /// True when work stopped because its partition went to another owner (or the processor stops), not because it
    /// failed: a withdrawn turn, a lost lease, or the hand-over token. A dependency's own cancellation (an HTTP timeout)
    /// is a failure.
    /// </summary>
    public static bool Is(Exception e, CancellationToken handover) =>
        e is RecordWithdrawnException or OwnershipLostException || (e is OperationCanceledException && handover.IsCancellationRequested);
}
