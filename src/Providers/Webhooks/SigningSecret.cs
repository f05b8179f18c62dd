namespace CinematicSwitch.Providers.Webhooks;

/// <summary>A Standard Webhooks signing secret: "whsec_" followed by the base64 of the HMAC key.</summary>
public static class SigningSecret
{
    public const string Prefix = "whsec_";

    public static bool TryParse(string? text, out byte[] key)
    {
        key = [];
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var encoded = text.AsSpan(Prefix.Length);
        var buffer = new byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var written) || written == 0)
        {
            return false;
        }

        key = buffer[..written];
        return true;
    }
}
