using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Fetching;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// Media given inside JSON (the spec's /dev/run "image": "base64_encoded_image_data_or_url"): base64, a data: URI, or
/// an http(s) URL that is fetched through the SSRF guard and streamed to S3 like an upload, with the same recognition and
/// limits. URLs on the project's own S3 endpoint are refused: fetching them would copy whatever object they name (the
/// development S3 checks no signatures), another tenant's included.
/// </summary>
internal sealed class JsonMedia(IOptions<IngestOptions> options, IOptions<S3Options> s3) : IDisposable
{
    private readonly MediaFetchOptions _fetch = options.Value.MediaFetch;

    private readonly FetchGuard _guard = new(options.Value.MediaFetch,
        refusedOrigins: s3.Value.ServiceUrl is { Length: > 0 } endpoint ? [new Uri(endpoint)] : null);

    public async Task UploadAsync(JsonElement value, IntakeSession session, CancellationToken cancellationToken)
    {
        var field = session.Context.Contract.MediaField;
        if (value.ValueKind != JsonValueKind.String)
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "Send the media as a base64 string, a data: URI or an http(s) URL.");
        }

        // The raw token of a string includes its quotes.
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.StartsWith("http://"u8) || raw.StartsWith("https://"u8))
        {
            await FetchAsync(value.GetString()!, session, cancellationToken);
            return;
        }

        var decoded = Decode(value, raw, field);
        try
        {
            using var content = new MemoryStream(decoded.Buffer, 0, decoded.Length, writable: false);
            await session.UploadMediaAsync(content, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded.Buffer);
        }
    }

    /// <summary>Decodes base64 straight from the JSON bytes (no string of the size of the media is made).</summary>
    private static (byte[] Buffer, int Length) Decode(JsonElement value, ReadOnlySpan<byte> raw, string field)
    {
        // Escaped JSON strings ("\/" is a legal way to write "/") are rare: unescape those the ordinary way.
        ReadOnlySpan<byte> text = raw.Contains((byte)'\\') ? System.Text.Encoding.UTF8.GetBytes(value.GetString()!) : raw;
        if (text.StartsWith("data:"u8))
        {
            var comma = text.IndexOf((byte)',');
            if (comma < 0 || !text[..comma].EndsWith(";base64"u8))
            {
                throw Problems.Invalid(UserMessages.MediaUpload, field, "A data: URI must be base64-encoded (data:<type>;base64,...).");
            }

            text = text[(comma + 1)..];
        }

        if (text.IsEmpty)
        {
            throw Problems.Missing(field, "A photo or video file is required.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(text.Length));
        if (Base64.DecodeFromUtf8(text, buffer, out _, out var written) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw Problems.Invalid(UserMessages.MediaUpload, field, "The media is neither valid base64 nor an http(s) URL.");
        }

        return (buffer, written);
    }

    private async Task FetchAsync(string url, IntakeSession session, CancellationToken cancellationToken)
    {
        var field = session.Context.Contract.MediaField;
        if (!_fetch.Enabled)
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "Media URLs are not accepted here: upload the file or send it as base64.");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw Problems.Invalid(UserMessages.MediaUpload, field, "The media URL is not a valid absolute URL.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_fetch.TimeoutSeconds));
        try
        {
            using var response = await _guard.GetAsync(uri, null, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw Problems.Invalid(UserMessages.MediaUpload, field, $"Fetching the media URL answered HTTP {(int)response.StatusCode}.");
            }

            if (response.Content.Headers.ContentLength > MediaFormats.MaxVideoBytes)
            {
                throw Problems.TooLarge(MediaFormats.MaxVideoBytes, "media at the URL", field);
            }

            await using var content = await response.Content.ReadAsStreamAsync(timeout.Token);
            await session.UploadMediaAsync(content, timeout.Token);
        }
        catch (FetchRefusedException e)
        {
            // The reason names the host and the rule, never the URL (it can carry a token).
            throw Problems.Invalid(UserMessages.MediaUpload, field, $"The media URL is not one Ingest fetches: {e.Message}.");
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The URL's server, not ours, failed: the caller's input is what cannot be used.
            throw Problems.Invalid(UserMessages.MediaUpload, field,
                e is OperationCanceledException ? $"Fetching the media URL took longer than {_fetch.TimeoutSeconds} seconds." : "The media URL could not be fetched.");
        }
    }

    public void Dispose() => _guard.Dispose();
}
