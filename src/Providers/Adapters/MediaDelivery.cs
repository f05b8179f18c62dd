using System.Net.Http.Headers;
using CinematicSwitch.Fetching;
using CinematicSwitch.Providers.Configuration;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>Bytes of the user's media, read here to be handed to a provider.</summary>
internal sealed record MediaBytes(byte[] Bytes, string ContentType)
{
    public string DataUri => $"data:{ContentType};base64,{Convert.ToBase64String(Bytes)}";

    /// <summary>Length of the data URI these bytes make (what Runway's cap measures).</summary>
    public long DataUriLength => MediaDelivery.DataUriLength(ContentType, Bytes.LongLength);

    public string Extension => ContentType.ToLowerInvariant() switch
    {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/jpeg" or "image/jpg" => "jpg",
        "video/quicktime" => "mov",
        _ => ContentType.StartsWith("video/", StringComparison.OrdinalIgnoreCase) ? "mp4" : "jpg",
    };
}

/// <summary>
/// What the adapters share about delivering media within an API's rules: whether a provider can fetch a URL itself (https
/// on a domain name, as Runway requires), the size of data URIs, and reading the bytes when the provider cannot fetch them
/// — through the SSRF guard (<see cref="FetchGuard"/>, options <c>Providers:MediaFetch</c>), trusting only the
/// <see cref="MediaStorageOrigin"/> whose presigned links the host made itself.
/// </summary>
internal sealed class MediaDelivery(IOptions<ProvidersOptions> options, IEnumerable<MediaStorageOrigin> storage) : IDisposable
{
    private readonly FetchGuard _guard = new(options.Value.MediaFetch, trustedOrigins: storage.Select(s => s.Origin));

    public static bool IsDataUri(string url) => url.StartsWith("data:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Length of a base64 data URI holding <paramref name="bytes"/> bytes of <paramref name="contentType"/>.</summary>
    public static long DataUriLength(string contentType, long bytes) => "data:;base64,".Length + contentType.Length + (((bytes + 2) / 3) * 4);

    /// <summary>Decoded size of a data URI, or of the media as the caller measured it; null when unknown.</summary>
    public static long? SizeOf(MediaInput media)
    {
        if (IsDataUri(media.Url))
        {
            var comma = media.Url.IndexOf(',', StringComparison.Ordinal);
            var payload = comma < 0 ? 0 : media.Url.Length - comma - 1;
            return payload * 3L / 4;
        }

        return media.SizeBytes;
    }

    /// <summary>
    /// Whether the provider can fetch the URL itself: one it can reach (not S3 on a private network), over https, on a domain
    /// name (not an IP literal, not localhost), as Runway's input rules state for every URL.
    /// </summary>
    public static bool Fetchable(MediaInput media) =>
        media.ProviderReachable && Uri.TryCreate(media.Url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps &&
        uri.HostNameType == UriHostNameType.Dns && !uri.IsLoopback && !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>The bytes of a data URI or of a URL fetched from here, refused beyond <paramref name="maxBytes"/>.</summary>
    /// <exception cref="MediaUnavailableException">The media could not be read, or is larger than <paramref name="maxBytes"/>.</exception>
    public async Task<MediaBytes> ReadAsync(MediaInput media, long maxBytes, CancellationToken cancellationToken)
    {
        if (IsDataUri(media.Url))
        {
            var comma = media.Url.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? media.Url[5..comma] : "";
            if (!header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new MediaUnavailableException("the input data URI is not base64", tooLarge: false);
            }

            var bytes = Convert.FromBase64String(media.Url[(comma + 1)..]);
            return bytes.LongLength <= maxBytes
                ? new MediaBytes(bytes, header[..^";base64".Length] is { Length: > 0 } type ? type : media.ContentType)
                : throw new MediaUnavailableException($"the input is {bytes.LongLength} bytes, over {maxBytes}", tooLarge: true);
        }

        if (!Uri.TryCreate(media.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new MediaUnavailableException("the input is neither a data URI nor an http(s) URL", tooLarge: false);
        }

        try
        {
            using var response = await _guard.GetAsync(url, null, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new MediaUnavailableException($"the input could not be downloaded (HTTP {(int)response.StatusCode})", tooLarge: false);
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new MediaUnavailableException($"the input is {response.Content.Headers.ContentLength} bytes, over {maxBytes}", tooLarge: true);
            }

            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var copy = new MemoryStream();
            var buffer = new byte[81920];
            for (int read; (read = await stream.ReadAsync(buffer, cancellationToken)) > 0;)
            {
                if (copy.Length + read > maxBytes)
                {
                    throw new MediaUnavailableException($"the input is over {maxBytes} bytes", tooLarge: true);
                }

                copy.Write(buffer, 0, read);
            }

            return new MediaBytes(copy.ToArray(), response.Content.Headers.ContentType?.MediaType is { } type && type != "application/octet-stream"
                ? type
                : media.ContentType);
        }
        catch (FetchRefusedException ex)
        {
            throw new MediaUnavailableException($"the input URL is not one the processor fetches: {ex.Message}", tooLarge: false, ex) { Refused = true };
        }
        catch (HttpRequestException ex)
        {
            throw new MediaUnavailableException($"the input could not be downloaded ({ex.HttpRequestError})", tooLarge: false, ex);
        }
    }

    public void Dispose() => _guard.Dispose();

    /// <summary>A multipart form as presigned uploads want it: the given fields, then the file.</summary>
    public static MultipartFormDataContent Form(IEnumerable<KeyValuePair<string, string>> fields, string fileField, MediaBytes media, string fileName)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        var file = new ByteArrayContent(media.Bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(media.ContentType);
        form.Add(file, fileField, fileName);
        return form;
    }
}

/// <summary>The user's media could not be read here, or is larger than every way the provider accepts it.</summary>
internal sealed class MediaUnavailableException(string reason, bool tooLarge, Exception? inner = null) : Exception(reason, inner)
{
    public bool TooLarge { get; } = tooLarge;

    /// <summary>The SSRF guard refused the URL: the request's input is at fault, not the configuration.</summary>
    public bool Refused { get; init; }
}
