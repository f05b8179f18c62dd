using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Fetching;
using CinematicSwitch.Providers;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Streaming.Processing;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// Turns a request's media reference into what the provider library delivers, after checking that the object
/// exists, is within the limits and is what its first bytes say it is: a presigned link with the object's size, marked
/// as fetchable by the provider or not (DataUri mode: S3 is private), or small images inline. The adapters then deliver
/// it within each API's rules (the link itself, a data URI under the provider's cap, or the provider's upload API).
/// Unreadable media fails the request with INVALID_INPUT (a replay whose input retention deleted says INPUT_EXPIRED in
/// its details); an S3 outage is retried.
/// Tenant isolation: an s3:// object must lie under the request's own tenant prefix ("{tenant}/") in the inputs or the
/// archive bucket, and an https URL must pass the SSRF guard's URL rules and not point at the project's own S3 endpoint
/// (the guard checks its addresses again if the processor reads it); anything else fails INVALID_INPUT with the reason in
/// details, before S3 or a provider is asked.
/// </summary>
internal sealed class MediaResolver : IDisposable
{
    private readonly ObjectStore _store;
    private readonly ProcessorOptions _options;

    // Used for its URL rules only (the adapters fetch through their own guard, which trusts the S3 endpoint's presigned links).
    private readonly FetchGuard _urls;

    public MediaResolver(ObjectStore store, IOptions<ProcessorOptions> options)
    {
        _store = store;
        _options = options.Value;
        _urls = new FetchGuard(new FetchGuardOptions(),
            refusedOrigins: store.Options.ServiceUrl is { Length: > 0 } endpoint ? [new Uri(endpoint)] : null);
    }

    public void Dispose() => _urls.Dispose();

    public async Task<(MediaInput? Media, ErrorInfo? Error)> ResolveAsync(TransformationRequested request, CancellationToken cancellationToken)
    {
        if (request.Media is not { } media)
        {
            return (null, null);
        }

        if (media.Uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Upstream producers may hand over media the provider fetches itself; the processor reads it (through the
            // guard) only when a provider cannot.
            var refused = Uri.TryCreate(media.Uri, UriKind.Absolute, out var url) ? _urls.Refusal(url) : "not an absolute URL";
            return refused is null
                ? (new MediaInput(media.Uri, media.ContentType, media.Kind == MediaKind.Video, SizeBytes: media.SizeBytes > 0 ? media.SizeBytes : null), null)
                : (null, Refused($"the media URL is not one the processor fetches: {refused}"));
        }

        if (!media.Uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return (null, RequestMapping.InvalidInput(UserMessages.MediaUpload, "media"));
        }

        var location = S3ObjectRef.Parse(media.Uri);
        if (OutsideTenant(location, request.TenantId) is { } outside)
        {
            return (null, Refused(outside));
        }

        try
        {
            var (format, size) = await InspectAsync(location, cancellationToken);
            if (format is null)
            {
                return (null, RequestMapping.InvalidInput(UserMessages.UnsupportedFormat, "media"));
            }

            if (size is < 1 || size > format.MaxBytes)
            {
                return (null, RequestMapping.InvalidInput(UserMessages.MediaUpload, "media"));
            }

            var isVideo = format.Kind == MediaKind.Video;
            var reachable = _options.MediaDelivery == MediaDelivery.PresignedUrl;
            var url = !reachable && !isVideo && size <= _options.MaxDataUriBytes
                ? await DataUriAsync(location, format, cancellationToken)
                : await _store.PresignGetAsync(location, _options.PresignedUrlValidity);
            return (new MediaInput(url, format.ContentType, isVideo, SizeBytes: size, ProviderReachable: reachable), null);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && request.Replay is not null)
        {
            // The first attempt read it: retention deleted it since (its outcome was final for longer than the keep time).
            return (null, new ErrorInfo(ErrorCode.InvalidInput, UserMessages.MediaUpload, null, null, new Dictionary<string, string>
            {
                ["field"] = "media",
                ["code"] = RetentionCodes.InputExpired,
                ["reason"] = "the request's input was deleted by retention after its outcome; it can no longer be replayed",
            }));
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return (null, RequestMapping.InvalidInput(UserMessages.MediaUpload, "media"));
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or IOException)
        {
            throw new RetriableException("S3 could not be read", e);
        }
    }

    private async Task<(MediaFormat? Format, long Size)> InspectAsync(S3ObjectRef location, CancellationToken cancellationToken)
    {
        using var response = await _store.Client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = location.Bucket,
            Key = location.Key,
            ByteRange = new ByteRange(0, MediaFormats.HeaderLength - 1),
        }, cancellationToken);
        var header = new byte[MediaFormats.HeaderLength];
        var read = await response.ResponseStream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        // A ranged GET reports the object's full size in Content-Range ("bytes 0-11/12345").
        var total = response.ContentRange is { } range && long.TryParse(range[(range.LastIndexOf('/') + 1)..], out var size) ? size : read;
        return (MediaFormats.Detect(header.AsSpan(0, read)), total);
    }

    private async Task<string> DataUriAsync(S3ObjectRef location, MediaFormat format, CancellationToken cancellationToken)
    {
        using var response = await _store.GetAsync(location, cancellationToken);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        return $"data:{format.ContentType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}";
    }

    /// <summary>
    /// Null when <paramref name="location"/> is the tenant's own: in the inputs or archive bucket, under "{tenant}/", with no
    /// empty, "." or ".." segment (S3 keys are literal, but a file-backed server such as s3rver may resolve them as paths).
    /// </summary>
    private string? OutsideTenant(S3ObjectRef location, string tenant)
    {
        var buckets = new[] { _store.Options.InputsBucket, _store.Options.ArchiveBucket };
        if (!buckets.Contains(location.Bucket, StringComparer.Ordinal))
        {
            return $"the media object is in bucket {location.Bucket}, not in the inputs or archive bucket";
        }

        // Tenant ids that would need escaping in a key (or that contain '/') own no prefix: Ingest never issues them.
        var prefix = tenant + "/";
        var safeTenant = tenant.Length > 0 && Uri.EscapeDataString(tenant) == tenant;
        if (!safeTenant || !location.Key.StartsWith(prefix, StringComparison.Ordinal)
            || location.Key.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            return $"the media object is not under the request's own tenant prefix ({prefix})";
        }

        return null;
    }

    private static ErrorInfo Refused(string reason) =>
        new(ErrorCode.InvalidInput, UserMessages.MediaUpload, null, null,
            new Dictionary<string, string> { ["field"] = "media", ["reason"] = reason });
}
