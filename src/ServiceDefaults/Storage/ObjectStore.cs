using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.ServiceDefaults.Storage;

/// <summary>The S3 operations the services need, with the endpoint quirks decided in one place.</summary>
public sealed class ObjectStore(IAmazonS3 s3, IOptions<S3Options> options, TimeProvider time)
{
    private readonly S3Options _options = options.Value;

    public S3Options Options => _options;

    public IAmazonS3 Client => s3;

    /// <summary>Streams <paramref name="content"/> to S3. The stream is read once, never buffered whole here.</summary>
    public async Task<S3ObjectRef> PutAsync(
        string bucket,
        string key,
        Stream content,
        string contentType,
        IReadOnlyDictionary<string, string>? metadata,
        CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = bucket,
            Key = key,
            InputStream = content,
            ContentType = contentType,
            AutoCloseStream = false,
            UseChunkEncoding = !_options.DisableChunkedUploads,
        };
        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Metadata[name] = value;
        }

        await s3.PutObjectAsync(request, cancellationToken);
        return new S3ObjectRef(bucket, key);
    }

    public async Task<GetObjectResponse> GetAsync(S3ObjectRef location, CancellationToken cancellationToken) =>
        await s3.GetObjectAsync(location.Bucket, location.Key, cancellationToken);

    public async Task DeleteAsync(S3ObjectRef location, CancellationToken cancellationToken) =>
        await s3.DeleteObjectAsync(location.Bucket, location.Key, cancellationToken);

    /// <summary>
    /// A time-limited HTTPS (or, on a local endpoint, HTTP) link to an object; with <paramref name="downloadAs"/>, one
    /// that makes browsers save it under that file name (a signed response-content-disposition) instead of showing it.
    /// </summary>
    public Task<string> PresignGetAsync(S3ObjectRef location, TimeSpan validity, string? downloadAs = null)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = location.Bucket,
            Key = location.Key,
            Verb = HttpVerb.GET,
            Expires = time.GetUtcNow().UtcDateTime.Add(validity),
            Protocol = _options.ServiceUrl?.StartsWith("http://", StringComparison.OrdinalIgnoreCase) == true ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (downloadAs is not null)
        {
            request.ResponseHeaderOverrides.ContentDisposition = $"attachment; filename=\"{downloadAs}\"";
        }

        return s3.GetPreSignedURLAsync(request);
    }

    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!await Amazon.S3.Util.AmazonS3Util.DoesS3BucketExistV2Async(s3, bucket))
        {
            await s3.PutBucketAsync(bucket, cancellationToken);
        }
    }
}

/// <summary>An object's address; <see cref="Uri"/> is the s3://bucket/key form events carry.</summary>
public readonly record struct S3ObjectRef(string Bucket, string Key)
{
    public string Uri => $"s3://{Bucket}/{Key}";

    public static S3ObjectRef Parse(string uri)
    {
        if (!uri.StartsWith("s3://", StringComparison.Ordinal) || uri.IndexOf('/', 5) is var slash && slash <= 5)
        {
            throw new FormatException("An S3 object URI has the form s3://bucket/key.");
        }

        return new S3ObjectRef(uri[5..slash], uri[(slash + 1)..]);
    }

    public override string ToString() => Uri;
}
