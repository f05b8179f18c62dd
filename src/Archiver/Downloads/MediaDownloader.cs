using System.Buffers;
using System.Security.Cryptography;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Fetching;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>A fetched output, spooled to a temporary file that is deleted when this is disposed.</summary>
internal sealed class DownloadedMedia(FileStream content, MediaFormat format, long sizeBytes, string sha256) : IAsyncDisposable
{
    /// <summary>The bytes, positioned at the start.</summary>
    public Stream Content => content;

    /// <summary>The format recognised from the content.</summary>
    public MediaFormat Format { get; } = format;

    public long SizeBytes { get; } = sizeBytes;

    /// <summary>Lower-case hex SHA-256 of the bytes, computed while they streamed in.</summary>
    public string Sha256 { get; } = sha256;

    public ValueTask DisposeAsync() => content.DisposeAsync();
}

/// <summary>
/// Fetches one provider output per call, as a stream: through the SSRF guard (<see cref="FetchGuard"/>: each redirect hop
/// checked, the connected address checked) and only from URLs the <see cref="UrlPolicy"/> allows, within a time limit,
/// refusing a Content-Type or content (magic bytes) that is not an accepted image or video, and stopping as soon as
/// the size passes the limit of its kind. The body goes to a temporary file while its SHA-256 is computed, so a
/// video is never held in memory and its hash is known before the upload (S3 metadata is sent first).
/// </summary>
internal sealed class MediaDownloader : IDisposable
{
    private const int BufferSize = 81920;
    private readonly DownloadOptions _options;
    private readonly UrlPolicy _policy;
    private readonly FetchGuard _guard;
    private readonly string _tempDirectory;

    /// <param name="s3">The project's own S3 endpoint is never fetched: an output "URL" there would copy any tenant's object.</param>
    public MediaDownloader(IOptions<ArchiverOptions> options, IOptions<S3Options> s3)
    {
        _options = options.Value.Download;
        _guard = new FetchGuard(_options, refusedOrigins: s3.Value.ServiceUrl is { Length: > 0 } endpoint ? [new Uri(endpoint)] : null);
        _policy = new UrlPolicy(_options, _guard);
        _tempDirectory = _options.TempDirectory ?? Path.GetTempPath();
    }

    /// <summary>
    /// One attempt. Throws <see cref="FetchException"/> for anything about the URL or what it served; cancelling
    /// <paramref name="cancellationToken"/> throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="expectedKind">What the completed event announced; Unknown accepts either kind.</param>
    public async Task<DownloadedMedia> DownloadAsync(string url, MediaKind expectedKind, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new FetchException(FetchFailureReason.Refused, "not an absolute URL");
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(_options.AttemptTimeout);
        var host = uri.IdnHost;
        try
        {
            using var response = await GetFollowingRedirectsAsync(uri, attempt.Token);
            host = response.RequestMessage?.RequestUri?.IdnHost ?? host;
            return await ReadAsync(response, host, expectedKind, attempt.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FetchException(FetchFailureReason.Timeout, $"{host} did not deliver within {_options.AttemptTimeout}", inner: e);
        }
        catch (FetchRefusedException e)
        {
            throw new FetchException(e.Refusal == FetchRefusal.TooManyRedirects ? FetchFailureReason.TooManyRedirects : FetchFailureReason.Refused,
                e.Message, inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new FetchException(FetchFailureReason.Network, $"{host}: {e.HttpRequestError}", inner: e);
        }
    }

    public void Dispose() => _guard.Dispose();

    private async Task<HttpResponseMessage> GetFollowingRedirectsAsync(Uri uri, CancellationToken cancellationToken)
    {
        var response = await _guard.GetAsync(uri, _policy.Refusal, cancellationToken);
        var status = (int)response.StatusCode;
        var host = response.RequestMessage?.RequestUri?.IdnHost ?? uri.IdnHost;
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        response.Dispose();
        throw status switch
        {
            >= 300 and < 400 => new FetchException(FetchFailureReason.HttpError, $"{host} answered {status} without a Location", status),
            401 or 403 or 404 or 410 => new FetchException(FetchFailureReason.Expired, $"{host} answered {status}: the link expired or the output was removed", status),
            _ => new FetchException(FetchFailureReason.HttpError, $"{host} answered {status}", status),
        };
    }

    private async Task<DownloadedMedia> ReadAsync(HttpResponseMessage response, string host, MediaKind expectedKind, CancellationToken cancellationToken)
    {
        var declaredType = response.Content.Headers.ContentType?.MediaType;
        var declaredKind = OutputFormats.KindOfDeclared(declaredType) ?? throw new FetchException(FetchFailureReason.WrongType,
            $"{host} served {declaredType}, not an image or video type");
        if (declaredKind != MediaKind.Unknown && expectedKind != MediaKind.Unknown && declaredKind != expectedKind)
        {
            throw new FetchException(FetchFailureReason.WrongType, $"{host} served {declaredType} where {expectedKind.ToString().ToLowerInvariant()} was expected");
        }

        var limit = Limit(declaredKind != MediaKind.Unknown ? declaredKind : expectedKind);
        if (response.Content.Headers.ContentLength is { } announced && announced > limit)
        {
            throw TooLarge(host, limit, announced);
        }

        Directory.CreateDirectory(_tempDirectory);
        var file = new FileStream(Path.Combine(_tempDirectory, $"cinematic-archiver-{Guid.NewGuid():N}.part"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var header = new byte[OutputFormats.HeaderLength];
            var headerLength = 0;
            MediaFormat? format = null;
            long total = 0;
            while (await ReadBodyAsync(body, buffer, host, cancellationToken) is var read and > 0)
            {
                if (format is null)
                {
                    var take = Math.Min(read, header.Length - headerLength);
                    buffer.AsSpan(0, take).CopyTo(header.AsSpan(headerLength));
                    headerLength += take;
                    if (headerLength == header.Length)
                    {
                        format = Recognise(header, host, declaredType, declaredKind, expectedKind);
                        limit = Limit(format.Kind);
                    }
                }

                total += read;
                if (total > limit)
                {
                    throw TooLarge(host, limit, announced: null);
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            // Content shorter than a full header (a tiny PNG or JPEG) is recognised from what there is.
            format ??= total == 0
                ? throw new FetchException(FetchFailureReason.WrongType, $"{host} served an empty body")
                : Recognise(header.AsSpan(0, headerLength), host, declaredType, declaredKind, expectedKind);

            await file.FlushAsync(cancellationToken);
            file.Position = 0;
            return new DownloadedMedia(file, format, total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads the next piece of the body; a connection that breaks off is the provider's failure, not the disk's.</summary>
    private static async Task<int> ReadBodyAsync(Stream body, byte[] buffer, string host, CancellationToken cancellationToken)
    {
        try
        {
            return await body.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e)
        {
            throw new FetchException(FetchFailureReason.Network, $"{host}: the download broke off", inner: e);
        }
    }

    private static MediaFormat Recognise(ReadOnlySpan<byte> header, string host, string? declaredType, MediaKind declaredKind, MediaKind expectedKind)
    {
        var format = OutputFormats.Detect(header)
            ?? throw new FetchException(FetchFailureReason.WrongType, $"{host} served content that is not JPEG, PNG, WebP, MP4 or MOV");
        if ((declaredKind != MediaKind.Unknown && format.Kind != declaredKind) || (expectedKind != MediaKind.Unknown && format.Kind != expectedKind))
        {
            throw new FetchException(FetchFailureReason.WrongType,
                $"{host} served {format.ContentType} content (declared {declaredType ?? "without a type"}, expected {expectedKind.ToString().ToLowerInvariant()})");
        }

        return format;
    }

    private long Limit(MediaKind kind) => kind switch
    {
        MediaKind.Image => _options.MaxImageBytes,
        MediaKind.Video => _options.MaxVideoBytes,
        _ => Math.Max(_options.MaxImageBytes, _options.MaxVideoBytes),
    };

    private static FetchException TooLarge(string host, long limit, long? announced) =>
        new(FetchFailureReason.TooLarge, announced is { } size
            ? $"{host} announced {size} bytes, over the {limit}-byte limit"
            : $"{host} served more than the {limit}-byte limit");
}
