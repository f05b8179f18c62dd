using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
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
/// Unreadable media fails the request with INVALID_INPUT; an S3 outage is retried.
/// </summary>
internal sealed class MediaResolver(ObjectStore store, IOptions<ProcessorOptions> options)
{
    private readonly ProcessorOptions _options = options.Value;

    public async Task<(MediaInput? Media, ErrorInfo? Error)> ResolveAsync(MediaReference? media, CancellationToken cancellationToken)
    {
        if (media is null)
        {
            return (null, null);
        }

        if (media.Uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            // Upstream producers may hand over media the provider fetches itself.
            return (new MediaInput(media.Uri, media.ContentType, media.Kind == MediaKind.Video, SizeBytes: media.SizeBytes > 0 ? media.SizeBytes : null), null);
        }

        if (!media.Uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return (null, RequestMapping.InvalidInput(UserMessages.MediaUpload, "media"));
        }

        var location = S3ObjectRef.Parse(media.Uri);
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
                : await store.PresignGetAsync(location, _options.PresignedUrlValidity);
            return (new MediaInput(url, format.ContentType, isVideo, SizeBytes: size, ProviderReachable: reachable), null);
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
        using var response = await store.Client.GetObjectAsync(new GetObjectRequest
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
        using var response = await store.GetAsync(location, cancellationToken);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer, cancellationToken);
        return $"data:{format.ContentType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}";
    }
}
