using System.Globalization;

namespace CinematicSwitch.Contracts.Events;

/// <summary>
/// A request attempt as the processor and the archiver identify it for exactly-once (their handlers' IdentityOf):
/// "{request id:N}#{replay count}". They put it in the cs-identity header of what they publish, which lets the ops
/// tool tell outcomes apart without decoding them. The one place the request id is written as 32 digits (everywhere a
/// user or an operator sees it, it is hyphenated): the identity keys the changelogs of running deployments, and a processor
/// that spelled it otherwise would miss the journal of a request in flight across an upgrade and start a second paid job.
/// </summary>
public readonly record struct RequestIdentity(Guid RequestId, int ReplayCount)
{
    /// <summary>
    /// The header that carries it. Part of the consumers' rule (README, "Exactly once"), so consumers outside the
    /// services (the skills' client) read it by this name; the stream runtime, which knows no contracts, writes it as
    /// StreamHeaders.Identity, the same text.
    /// </summary>
    public const string Header = "cs-identity";

    /// <summary>The attempt a request starts: a replay is a new attempt, a redelivery or a duplicate is not.</summary>
    public static RequestIdentity Of(TransformationRequested request) => new(request.RequestId, request.Replay?.ReplayCount ?? 0);

    /// <summary>The attempt a completion ends.</summary>
    public static RequestIdentity Of(TransformationCompleted completed) => new(completed.RequestId, completed.Request.Replay?.ReplayCount ?? 0);

    public static bool TryParse(string? text, out RequestIdentity identity)
    {
        identity = default;
        var hash = text?.IndexOf('#', StringComparison.Ordinal) ?? -1;
        if (hash < 0
            || !Guid.TryParseExact(text![..hash], "N", out var id)
            || !int.TryParse(text[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        identity = new RequestIdentity(id, count);
        return true;
    }

    public override string ToString() => $"{RequestId:N}#{ReplayCount}";
}
