using System.Globalization;

namespace CinematicSwitch.Ops.Kafka;

/// <summary>
/// A request attempt as the processor and the archiver identify it for exactly-once (their handlers' IdentityOf):
/// "{request id:N}#{replay count}". They put it in the cs-identity header of what they publish, which lets this tool
/// tell outcomes apart without decoding them.
/// </summary>
internal readonly record struct RequestIdentity(Guid RequestId, int ReplayCount)
{
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
