using System.Buffers;
using System.Security.Cryptography;
using Amazon.S3.Model;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>Media as stored in the inputs bucket, and what the event says about it.</summary>
internal sealed record StoredMedia(S3ObjectRef Location, MediaFormat Format, long SizeBytes, string Sha256, TimeSpan Elapsed)
{
    public MediaReference Reference => new(Location.Uri, Format.ContentType, Format.Kind, SizeBytes, Sha256);
}

/// <summary>
/// Streams media to S3 as it arrives, never holding more than two part buffers: the format is recognised from the
/// first bytes (never from a file name), the size limit of that format is enforced while reading, and the SHA-256
/// is computed on the way. Media that fits one part is stored with one PutObject; larger media with a multipart
/// upload whose next part is read while the previous one is sent. Works against S3, MinIO and s3rver alike.
/// </summary>
internal sealed partial class MediaUploader(ObjectStore store, IOptions<IngestOptions> options, TimeProvider time, ILogger<MediaUploader> logger) : IDisposable
{
    private static readonly HashSet<string> NotVideoBrands = new(StringComparer.Ordinal)
    {
        "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis", "M4A ", "M4B ", "M4P ", "crx ",
    };

    private readonly int _partSize = options.Value.UploadPartBytes;

    // Pooled part buffers (a pool rounds sizes up to a power of two; only _partSize bytes of each are used).
    private readonly ArrayPool<byte> _buffers = ArrayPool<byte>.Create(options.Value.UploadPartBytes, options.Value.MaxConcurrentUploads * 2);

    // What bounds the memory of uploads: at most this many stream at once, two part buffers each.
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentUploads);

    /// <param name="keyPrefix">The object key without extension, e.g. "tenant/request-id/input".</param>
    /// <param name="field">The request field the media came in, for error details.</param>
    /// <param name="onRecognized">Called once the format is known, before anything is stored: a chance to refuse early.</param>
    public async Task<StoredMedia> UploadAsync(Stream content, string keyPrefix, string field, Action<MediaFormat> onRecognized,
        CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        var started = time.GetTimestamp();
        var first = _buffers.Rent(_partSize);
        byte[]? second = null;
        try
        {
            var length = await FillAsync(content, first, cancellationToken);
            if (length == 0)
            {
                throw Problems.Invalid(UserMessages.MediaUpload, field, "The file is empty.", ("min_bytes", 1));
            }

            var format = Recognize(first.AsSpan(0, length))
                ?? throw Problems.Invalid(UserMessages.UnsupportedFormat, field, "The content is not a JPEG, PNG, MP4 or MOV file.");
            onRecognized(format);

            var size = new SizeGuard(format, field);
            size.Add(length);
            using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha256.AppendData(first, 0, length);
            var location = new S3ObjectRef(store.Options.InputsBucket, $"{keyPrefix}.{format.Extension}");

            if (length < _partSize)
            {
                // Not cancelled with the caller: the media is all here, and a put cut off midway can leave an object
                // behind (s3rver stores an empty one) that no request owns. The caller learns nothing of it either way.
                using var body = new MemoryStream(first, 0, length, writable: false);
                await store.PutAsync(location.Bucket, location.Key, body, format.ContentType, null, CancellationToken.None);
            }
            else
            {
                second = _buffers.Rent(_partSize);
                await MultipartAsync(content, location, format, [first, second], length, size, sha256, cancellationToken);
            }

            var stored = new StoredMedia(location, format, size.Total, Convert.ToHexStringLower(sha256.GetHashAndReset()), time.GetElapsedTime(started));
            LogStored(location.Key, format.ContentType, stored.SizeBytes, (long)stored.Elapsed.TotalMilliseconds);
            return stored;
        }
        finally
        {
            _buffers.Return(first);
            if (second is not null)
            {
                _buffers.Return(second);
            }

            _slots.Release();
        }
    }

    /// <summary>
    /// The format of the first bytes. ISO base media files all start with "ftyp": HEIF/AVIF photos and M4A audio are
    /// ISO files too, and are refused here rather than sent to a video model.
    /// </summary>
    public static MediaFormat? Recognize(ReadOnlySpan<byte> header)
    {
        var format = MediaFormats.Detect(header);
        if (format?.Kind == MediaKind.Video && header.Length >= 12)
        {
            var brand = System.Text.Encoding.ASCII.GetString(header[8..12]);
            if (NotVideoBrands.Contains(brand))
            {
                return null;
            }
        }

        return format;
    }

    public void Dispose() => _slots.Dispose();

    public async Task DeleteAsync(S3ObjectRef location, CancellationToken cancellationToken) =>
        await store.DeleteAsync(location, cancellationToken);

    private async Task MultipartAsync(Stream content, S3ObjectRef location, MediaFormat format, byte[][] buffers, int firstLength, SizeGuard size,
        IncrementalHash sha256, CancellationToken cancellationToken)
    {
        var upload = await store.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = location.Bucket,
            Key = location.Key,
            ContentType = format.ContentType,
        }, cancellationToken);
        var parts = new List<PartETag>();
        Task<PartETag>? sending = null;
        try
        {
            var current = 0;
            var length = firstLength;
            var number = 1;
            while (true)
            {
                // Send this part while the next one is read into the other buffer.
                sending = SendPartAsync(location, upload.UploadId, number++, buffers[current], length, cancellationToken);
                if (length < _partSize)
                {
                    break;
                }

                current ^= 1;
                length = await FillAsync(content, buffers[current], cancellationToken);
                size.Add(length);
                sha256.AppendData(buffers[current], 0, length);
                parts.Add(await sending);
                sending = null;
                if (length == 0)
                {
                    break;
                }
            }

            if (sending is not null)
            {
                parts.Add(await sending);
            }

            // Every part is sent: completing is not cancelled with the caller (a completion cut off may still take effect).
            await store.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = location.Bucket,
                Key = location.Key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, CancellationToken.None);
        }
        catch
        {
            if (sending is not null)
            {
                await ((Task)sending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await AbortAsync(location, upload.UploadId);
            throw;
        }
    }

    private async Task<PartETag> SendPartAsync(S3ObjectRef location, string uploadId, int number, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream(buffer, 0, length, writable: false);
        var response = await store.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = location.Bucket,
            Key = location.Key,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = body,
            PartSize = length,
            UseChunkEncoding = !store.Options.DisableChunkedUploads,
        }, cancellationToken);
        return new PartETag(number, response.ETag);
    }

    private async Task AbortAsync(S3ObjectRef location, string uploadId)
    {
        try
        {
            // Not cancellable: the caller may be gone, the parts must still go.
            await store.Client.AbortMultipartUploadAsync(location.Bucket, location.Key, uploadId, CancellationToken.None);
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException or HttpRequestException)
        {
            // S3 lifecycle rules (AbortIncompleteMultipartUpload) collect what is left; s3rver cannot abort at all.
            LogAbortFailed(location.Key, uploadId, e.GetType().Name);
        }
    }

    /// <summary>Reads until the part buffer is full or the content ends.</summary>
    private async Task<int> FillAsync(Stream content, byte[] buffer, CancellationToken cancellationToken) =>
        await content.ReadAtLeastAsync(buffer.AsMemory(0, _partSize), _partSize, throwOnEndOfStream: false, cancellationToken);

    /// <summary>Counts bytes against the format's limit (16 MiB images, 100 MiB videos) as they stream in.</summary>
    private sealed class SizeGuard(MediaFormat format, string field)
    {
        public long Total { get; private set; }

        public void Add(int bytes)
        {
            Total += bytes;
            if (Total > format.MaxBytes)
            {
                throw Problems.TooLarge(format.MaxBytes, format.Kind == MediaKind.Video ? "video" : "image", field);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Key} ({ContentType}, {Bytes} bytes) in {ElapsedMs} ms")]
    private partial void LogStored(string key, string contentType, long bytes, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Aborting the multipart upload {UploadId} of {Key} failed ({Error}); its parts stay until a lifecycle rule removes them")]
    private partial void LogAbortFailed(string key, string uploadId, string error);
}
