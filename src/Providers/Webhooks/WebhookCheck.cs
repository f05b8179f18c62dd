namespace CinematicSwitch.Providers.Webhooks;

/// <summary>What a webhook delivery came to.</summary>
public enum WebhookVerdict
{
    /// <summary>The signature holds; what the delivery says is yet to be read.</summary>
    Authentic,

    /// <summary>Authentic, and about a job that ended: worth a doorbell.</summary>
    JobEnded,

    /// <summary>Authentic, but not about a job's end (another event, an unfinished status): acknowledged, nothing written.</summary>
    Ignored,

    /// <summary>Authentic, and a redelivery of a message whose doorbell was written already: acknowledged, nothing written again.</summary>
    Duplicate,

    /// <summary>A header the verification needs is missing or malformed.</summary>
    Malformed,

    /// <summary>Its timestamp is outside the tolerance (a replay, or a clock far off).</summary>
    Stale,

    /// <summary>No signature (or key) matches.</summary>
    Unauthenticated,

    /// <summary>Authentic, but the body is not the provider's event shape.</summary>
    Unreadable,
}

/// <summary>
/// A verdict, the job it is about when it ended, and the provider's id of the message, which its redeliveries keep (Replicate's
/// webhook-id; null where the provider gives none, as Leonardo).
/// </summary>
public sealed record WebhookCheck(WebhookVerdict Verdict, string? JobId = null, string? DeliveryId = null)
{
    public static WebhookCheck Of(WebhookVerdict verdict) => new(verdict);
}

/// <summary>The headers of a Standard Webhooks delivery (webhook-id, webhook-timestamp, webhook-signature), as received.</summary>
public sealed record StandardWebhookHeaders(string? Id, string? Timestamp, string? Signature);
