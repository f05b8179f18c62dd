using Avro;
using Avro.Util;

namespace CinematicSwitch.Contracts;

/// <summary>
/// Apache.Avro's timestamp-millis with an exact conversion to the written long: Apache.Avro 1.12 computes it through
/// a double (<c>TimeSpan.TotalMilliseconds</c>), which is a millisecond off for times just under a millisecond
/// boundary and for whole milliseconds far from 1970 (after about 2426). Here, as the Avro specification and Java
/// do, the written value is the whole milliseconds since the epoch, rounded down. Reading is Apache.Avro's (exact).
/// </summary>
internal sealed class ExactTimestampMillisecond : TimestampMillisecond
{
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>Replaces Apache.Avro's timestamp-millis for every schema parsed from now on (a schema takes its
    /// logical types when it is parsed).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (!_registered)
            {
                LogicalTypeFactory.Instance.Register(new ExactTimestampMillisecond());
                _registered = true;
            }
        }
    }

    public override object ConvertToBaseValue(object logicalValue, LogicalSchema schema) =>
        Math.DivRem(((DateTime)logicalValue).ToUniversalTime().Ticks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerMillisecond) switch
        {
            var (millis, remainder) when remainder < 0 => millis - 1,
            var (millis, _) => millis,
        };
}
