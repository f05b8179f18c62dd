using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Configuration;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Webhooks;

/// <summary>
/// Checks the providers' webhook deliveries and says which job ended. A delivery only rings a doorbell: what it says about the
/// job is never taken as the job's outcome (the processor reads the job from the provider), so all that is read from it is the
/// job id, and whether it claims the job ended.
/// </summary>
public interface IProviderWebhooks
{
    bool Enabled(Provider provider);

    /// <summary>
    /// A Replicate delivery (Standard Webhooks). Throws <see cref="ProviderException"/> when the signing secret must be read from
    /// Replicate and cannot be (the caller answers 503: Replicate tries again).
    /// </summary>
    Task<WebhookCheck> CheckReplicateAsync(StandardWebhookHeaders headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken);

    /// <summary>A Leonardo delivery: "Authorization: Bearer {webhook callback API key}", a "*.complete" event about data.object.id.</summary>
    WebhookCheck CheckLeonardo(string? authorization, ReadOnlySpan<byte> body);
}

internal sealed class ProviderWebhooks(IOptions<ProvidersOptions> options, IEnumerable<IProviderAdapter> adapters, TimeProvider time) : IProviderWebhooks, IDisposable
{
    private static readonly string[] EndedStatuses = ["succeeded", "failed", "canceled", "aborted"];

    private readonly ProvidersOptions options = options.Value;
    private readonly StandardWebhookVerifier verifier = new(time);
    private readonly SemaphoreSlim fetching = new(1, 1);
    private byte[]? replicateKey;

    public bool Enabled(Provider provider) => provider switch
    {
        Provider.Replicate => options.Replicate.Webhook.Enabled,
        Provider.Leonardo => options.Leonardo.Webhook.Enabled,
        _ => false,
    };

    public async Task<WebhookCheck> CheckReplicateAsync(StandardWebhookHeaders headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var verdict = verifier.Verify(await ReplicateKeyAsync(cancellationToken), headers, body.Span);
        if (verdict != WebhookVerdict.Authentic)
        {
            return WebhookCheck.Of(verdict);
        }

        // The body is a prediction object, as GET v1/predictions/{id} returns it.
        var prediction = Parse(body.Span);
        if (ProviderHttp.Text(prediction, "id") is not { Length: > 0 } id)
        {
            return WebhookCheck.Of(WebhookVerdict.Unreadable);
        }

        return EndedStatuses.Contains(ProviderHttp.Text(prediction, "status")) ? new WebhookCheck(WebhookVerdict.JobEnded, id, headers.Id) : WebhookCheck.Of(WebhookVerdict.Ignored);
    }

    public WebhookCheck CheckLeonardo(string? authorization, ReadOnlySpan<byte> body)
    {
        const string scheme = "Bearer ";
        var secret = options.Leonardo.Webhook.Secret;
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return WebhookCheck.Of(WebhookVerdict.Malformed);
        }

        // Hashes of equal length, so that neither the content nor the length of the key shows in the time taken.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(secret))))
        {
            return WebhookCheck.Of(WebhookVerdict.Unauthenticated);
        }

        // {"type": "image_generation.complete", "data": {"object": {"id": ..., "status": "COMPLETE", ...}}}
        var message = Parse(body);
        if (ProviderHttp.Text(message, "type") is not { } type)
        {
            return WebhookCheck.Of(WebhookVerdict.Unreadable);
        }

        if (!type.EndsWith(".complete", StringComparison.Ordinal))
        {
            return WebhookCheck.Of(WebhookVerdict.Ignored);
        }

        return ProviderHttp.Text(message?["data"]?["object"], "id") is { Length: > 0 } id
            ? new WebhookCheck(WebhookVerdict.JobEnded, id)
            : WebhookCheck.Of(WebhookVerdict.Unreadable);
    }

    /// <summary>The configured signing key, else the one Replicate gives this account (read once).</summary>
    private async Task<byte[]> ReplicateKeyAsync(CancellationToken cancellationToken)
    {
        if (replicateKey is { } known)
        {
            return known;
        }

        await fetching.WaitAsync(cancellationToken);
        try
        {
            if (replicateKey is null)
            {
                var secret = options.Replicate.Webhook.Secret is { Length: > 0 } configured
                    ? configured
                    : await adapters.OfType<ReplicateAdapter>().Single().ReadWebhookSecretAsync(cancellationToken);
                replicateKey = SigningSecret.TryParse(secret, out var key)
                    ? key
                    : throw new ProviderException(ProviderFailure.Create(ProviderErrorCode.ProviderError,
                        "Replicate's webhook signing secret is not \"whsec_\" and base64.", Provider.Replicate));
            }

            return replicateKey;
        }
        finally
        {
            fetching.Release();
        }
    }

    public void Dispose() => fetching.Dispose();

    private static JsonNode? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
