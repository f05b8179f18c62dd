using System.Security.Cryptography;
using System.Text;

namespace CinematicSwitch.Contracts;

/// <summary>
/// Request ids. With an Idempotency-Key the id is name-based (RFC 9562 UUID version 5 over the tenant and the key),
/// so a retry on any instance, after any restart, gets the same id; without one it is a fresh time-ordered UUIDv7.
/// Ingest derives its requests' ids here, and so does every other producer of requests (the skills' client), so that a
/// key names the same request whichever way it was sent.
/// </summary>
public static class RequestIds
{
    public const int MaxIdempotencyKeyLength = 255;

    // The namespace of Cinematic Switch idempotency keys; changing it would change every derived id.
    private static readonly Guid Namespace = new("6f0b7a52-3c1e-4d8a-9b5f-0e2c7d4a1b93");

    public static Guid New() => Guid.CreateVersion7();

    // Tenant ids cannot contain a newline (Ingest's options refuse them), so (tenant, key) pairs never collide as names.
    public static Guid FromIdempotencyKey(string tenantId, string idempotencyKey) => NameBased(Namespace, $"{tenantId}\n{idempotencyKey}");

    /// <summary>RFC 9562 UUID version 5: SHA-1 of the namespace's bytes and the UTF-8 name.</summary>
    public static Guid NameBased(Guid @namespace, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[16 + bytes.Length];
        @namespace.TryWriteBytes(input, bigEndian: true, out _);
        bytes.CopyTo(input, 16);
#pragma warning disable CA5350 // SHA-1 is what version 5 UUIDs are defined with; it is a name hash here, not security.
        var hash = SHA1.HashData(input);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    /// <summary>1 to 255 visible ASCII characters, as the IETF Idempotency-Key draft's examples use.</summary>
    public static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= MaxIdempotencyKeyLength && key.All(c => c is > ' ' and <= '~');
}
