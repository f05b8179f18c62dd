using System.Text;
using CinematicSwitch.Providers.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Providers.Tests;

/// <summary>Standard Webhooks verification against signatures made as Replicate documents them, at the edges of the tolerance.</summary>
public sealed class WebhookVerificationTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] Body = """{"id":"p1","status":"succeeded"}"""u8.ToArray();

    [Fact]
    public void A_secret_is_whsec_and_base64()
    {
        Assert.True(SigningSecret.TryParse("whsec_" + Convert.ToBase64String(Key), out var key));
        Assert.Equal(Key, key);
        Assert.False(SigningSecret.TryParse(Convert.ToBase64String(Key), out _));
        Assert.False(SigningSecret.TryParse("whsec_not base64!", out _));
        Assert.False(SigningSecret.TryParse("whsec_", out _));
    }

    [Theory]
    [InlineData(0, WebhookVerdict.Authentic)]
    [InlineData(-300, WebhookVerdict.Authentic)]
    [InlineData(300, WebhookVerdict.Authentic)]
    [InlineData(-301, WebhookVerdict.Stale)]
    [InlineData(301, WebhookVerdict.Stale)]
    public void The_timestamp_must_be_within_five_minutes_of_now(int offsetSeconds, WebhookVerdict expected)
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var sent = 1_800_000_000L + offsetSeconds;
        var headers = new StandardWebhookHeaders("msg_1", sent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            StandardWebhookVerifier.Sign(Key, "msg_1", sent, Body));

        Assert.Equal(expected, new StandardWebhookVerifier(time).Verify(Key, headers, Body));
    }

    [Fact]
    public void The_signature_covers_id_timestamp_and_body_and_any_v1_entry_may_match()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        var verifier = new StandardWebhookVerifier(time);
        var signature = StandardWebhookVerifier.Sign(Key, "msg_1", 1_800_000_000, Body);
        // The signed content as Replicate's documentation spells it, computed independently of Sign.
        var independent = "v1," + Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Key,
            Encoding.UTF8.GetBytes("msg_1.1800000000." + Encoding.UTF8.GetString(Body))));
        Assert.Equal(independent, signature);

        Assert.Equal(WebhookVerdict.Authentic, verifier.Verify(Key, new("msg_1", "1800000000", "v1,AAAA " + signature), Body));
        Assert.Equal(WebhookVerdict.Unauthenticated, verifier.Verify(Key, new("msg_2", "1800000000", signature), Body));
        Assert.Equal(WebhookVerdict.Unauthenticated, verifier.Verify(Key, new("msg_1", "1800000000", signature), """{"id":"p2"}"""u8));
        Assert.Equal(WebhookVerdict.Unauthenticated, verifier.Verify(Key, new("msg_1", "1800000000", "v2," + signature[3..]), Body));
        Assert.Equal(WebhookVerdict.Malformed, verifier.Verify(Key, new(null, "1800000000", signature), Body));
        Assert.Equal(WebhookVerdict.Malformed, verifier.Verify(Key, new("msg_1", "yesterday", signature), Body));
        Assert.Equal(WebhookVerdict.Malformed, verifier.Verify(Key, new("msg_1", "1800000000", null), Body));
    }
}
