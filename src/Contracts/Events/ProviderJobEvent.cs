using System.Text.Json;

namespace CinematicSwitch.Contracts.Events;

/// <summary>
/// A provider said one of its jobs ended (a webhook that passed verification). Internal to the pipeline (Ingest to the
/// processors), JSON on <see cref="Topics.ProviderJobEvents"/>, keyed by job id. It carries no outcome on purpose: a doorbell,
/// after which the processor running the job reads it from the provider. No user content.
/// </summary>
/// <param name="Provider">"replicate", "leonardo".</param>
public sealed record ProviderJobEvent(string Provider, string JobId, DateTimeOffset ReceivedAt)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>The event, or null when the bytes are not one (the topic is internal, but a record that is not is skipped, never fatal).</summary>
    public static ProviderJobEvent? FromJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<ProviderJobEvent>(bytes, Json) is { Provider.Length: > 0, JobId.Length: > 0 } e ? e : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
