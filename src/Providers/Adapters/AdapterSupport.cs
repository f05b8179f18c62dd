using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>Small pieces the adapters share.</summary>
internal static class AdapterSupport
{
    /// <summary>
    /// The seed when the caller gives none: from a hash of the whole request id, so the same request (a redelivery, a
    /// resumed worker) always sends the same inputs — which lets a resumed worker recognise its own job in a provider's job
    /// list by prompt and seed — while "Try again" (a new request id) gets another. Kept below 2^31 - 10 (Leonardo's
    /// Motion 2.0 limit). Request ids are UUIDv7, whose first bytes are a timestamp: a seed taken
    /// from them would repeat for every request of the same minute, and the provider listings that recovery searches by
    /// prompt and seed could then hold another request's job.
    /// </summary>
    public static long DerivedSeed(Guid requestId)
    {
        Span<byte> bytes = stackalloc byte[16];
        requestId.TryWriteBytes(bytes, bigEndian: true, out _);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return BinaryPrimitives.ReadUInt32LittleEndian(hash) % 2_147_483_000L;
    }

    /// <summary>The seed of a variation: different variations must differ, the same variation stays the same.</summary>
    public static long SeedFor(GenerationRequest request, int variation, long max) =>
        ((request.Video?.Seed ?? DerivedSeed(request.RequestId)) + Math.Max(0, variation - 1)) % max;

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static void Bearer(HttpRequestMessage request, string key) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

    /// <summary>URLs in a JSON array (or a single string), skipping anything else.</summary>
    public static List<string> Urls(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>().ToList(),
        JsonValue value when value.TryGetValue<string>(out var single) => [single],
        _ => [],
    };
}
