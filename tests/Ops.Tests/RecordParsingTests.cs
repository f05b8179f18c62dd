using System.Text;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Kafka;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Tests;

/// <summary>Headers of dead letters, identities, record locations and times as the command line takes them.</summary>
public sealed class RecordParsingTests
{
    [Fact]
    public void A_dead_letter_goes_back_with_the_headers_it_had_before_dead_lettering()
    {
        // A completed event (with the processor's own cs-* headers) that the archiver dead-lettered after an earlier replay.
        var headers = Headers(
            ("cs-identity", "abc#0"), ("cs-output", "outcome"), ("cs-source", "requested/0/4"), ("traceparent", "00-1"),
            ("ops-replayed-from", "completed.dlq/0/1"), ("ops-dlq-replays", "1"),
            ("cs-identity", "abc#0"), ("cs-output", "dead-letter"), ("dlq-reason", "processing-failed: x"), ("dlq-original-topic", "completed"));

        var kept = RecordHeaders.BeforeDeadLettering(headers).Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes()))).ToList();

        Assert.Equal([("cs-identity", "abc#0"), ("cs-output", "outcome"), ("cs-source", "requested/0/4"), ("traceparent", "00-1")], kept);
        Assert.Equal(["x"], RecordHeaders.BeforeDeadLettering(Headers(("x", "1"), ("dlq-reason", "r"))).Select(h => h.Key));
    }

    [Fact]
    public void Identities_and_locations_parse_only_in_their_own_format()
    {
        var id = Guid.NewGuid();
        Assert.True(RequestIdentity.TryParse($"{id:N}#2", out var identity));
        Assert.Equal(new RequestIdentity(id, 2), identity);
        Assert.Equal($"{id:N}#2", identity.ToString());
        Assert.False(RequestIdentity.TryParse($"{id}#2", out _));
        Assert.False(RequestIdentity.TryParse("offset:12", out _));

        Assert.True(RecordLocation.TryParse("cinematic.transformation.requested.dlq/3/41", out var location));
        Assert.Equal(new RecordLocation("cinematic.transformation.requested.dlq", 3, 41), location);
        Assert.False(RecordLocation.TryParse("requested/x/1", out _));
        Assert.False(RecordLocation.TryParse("requested/1", out _));
    }

    [Theory]
    [InlineData("90s", -90)]
    [InlineData("30m", -1800)]
    [InlineData("1.5h", -5400)]
    [InlineData("2d", -172800)]
    [InlineData("1w", -604800)]
    [InlineData("now", 0)]
    public void An_age_is_that_long_before_now(string text, int seconds)
    {
        var now = new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.True(TimeArgument.TryParse(text, now, out var time));
        Assert.Equal(now.AddSeconds(seconds), time);
    }

    [Fact]
    public void Dates_are_utc_unless_they_say_otherwise_and_anything_else_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.True(TimeArgument.TryParse("2025-06-01", now, out var date));
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero), date);
        Assert.True(TimeArgument.TryParse("2025-06-01T10:00:00+02:00", now, out var offset));
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero), offset.ToUniversalTime());
        Assert.False(TimeArgument.TryParse("yesterday", now, out _));
        Assert.False(TimeArgument.TryParse("5 minutes", now, out _));
    }

    private static Headers Headers(params (string Key, string Value)[] entries)
    {
        var headers = new Headers();
        foreach (var (key, value) in entries)
        {
            headers.Add(key, Encoding.UTF8.GetBytes(value));
        }

        return headers;
    }
}
