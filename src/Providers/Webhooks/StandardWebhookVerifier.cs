using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CinematicSwitch.Providers.Webhooks;

/// <summary>
/// Standard Webhooks verification (what Replicate signs with): the signed content is "{webhook-id}.{webhook-timestamp}.{body}",
/// its HMAC-SHA256 under the secret's key, base64, must equal one of the "v1,&lt;base64&gt;" entries of webhook-signature (space
/// separated: a rotated secret signs twice), compared in constant time; and webhook-timestamp (seconds since the epoch) must be
/// within <see cref="Tolerance"/> of now, so that a captured delivery cannot be replayed later.
/// </summary>
public sealed class StandardWebhookVerifier(TimeProvider time)
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public WebhookVerdict Verify(byte[] key, StandardWebhookHeaders headers, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrWhiteSpace(headers.Id) || string.IsNullOrWhiteSpace(headers.Signature) ||
            !long.TryParse(headers.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 253_402_300_799L)
        {
            return WebhookVerdict.Malformed;
        }

        var sent = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var now = time.GetUtcNow();
        if (sent < now - Tolerance || sent > now + Tolerance)
        {
            return WebhookVerdict.Stale;
        }

        var expected = HMACSHA256.HashData(key, SignedContent(headers.Id, headers.Timestamp, body));

        Span<byte> given = stackalloc byte[64];
        var match = false;
        foreach (var entry in headers.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Other versions ("v1a", asymmetric) are not Replicate's; only v1 entries are checked.
            if (entry.StartsWith("v1,", StringComparison.Ordinal) && Convert.TryFromBase64String(entry[3..], given, out var length))
            {
                // Every entry is compared, so the time taken does not tell which one matched.
                match |= CryptographicOperations.FixedTimeEquals(given[..length], expected);
            }
        }

        return match ? WebhookVerdict.Authentic : WebhookVerdict.Unauthenticated;
    }

    /// <summary>The header value a sender puts on <paramref name="body"/> (for tests and tools that sign deliveries).</summary>
    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, SignedContent(id, timestamp.ToString(CultureInfo.InvariantCulture), body)));

    private static byte[] SignedContent(string id, string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return content;
    }
}
