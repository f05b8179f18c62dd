using System.Security.Cryptography;
using Amazon.S3.Model;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Streaming.Tests;

[Trait("Category", "Stack")]
public sealed class S3RoundTripTests
{
    [Fact]
    public async Task A_multi_megabyte_object_comes_back_byte_exact()
    {
        var stack = await SharedStack.GetAsync();
        using var store = stack.S3.CreateStore().Client;
        var objects = stack.S3.CreateStore();
        var content = RandomNumberGenerator.GetBytes((9 * 1024 * 1024) + 123);
        var key = $"roundtrip/{Guid.NewGuid():N}.bin";

        await using (var upload = new MemoryStream(content, writable: false))
        {
            await objects.PutAsync(stack.S3.Options.InputsBucket, key, upload, "application/octet-stream",
                new Dictionary<string, string> { ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)) }, CancellationToken.None);
        }

        using var response = await objects.GetAsync(new S3ObjectRef(stack.S3.Options.InputsBucket, key), CancellationToken.None);
        await using var downloaded = new MemoryStream();
        await response.ResponseStream.CopyToAsync(downloaded);

        Assert.Equal(content.Length, downloaded.Length);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(downloaded.ToArray()));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), response.Metadata["sha256"]);
    }

    /// <summary>
    /// A listing longer than its page comes in pages joined by continuation tokens. The services' S3 readiness check
    /// lists one key per bucket, so a bucket of two objects already needs a token (s3rver makes them with DES, which
    /// Node's OpenSSL 3 offers only with its legacy provider).
    /// </summary>
    [Fact]
    public async Task A_listing_longer_than_a_page_is_read_page_by_page()
    {
        var stack = await SharedStack.GetAsync();
        var objects = stack.S3.CreateStore();
        var bucket = stack.S3.Options.InputsBucket;
        var prefix = $"listing/{Guid.NewGuid():N}/";
        var keys = Enumerable.Range(0, 3).Select(i => $"{prefix}{i}.txt").ToList();
        foreach (var key in keys)
        {
            await using var body = new MemoryStream("x"u8.ToArray(), writable: false);
            await objects.PutAsync(bucket, key, body, "text/plain", new Dictionary<string, string>(), CancellationToken.None);
        }

        var listed = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = 1 };
        ListObjectsV2Response page;
        do
        {
            page = await objects.Client.ListObjectsV2Async(request);
            listed.AddRange(page.S3Objects.Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        Assert.Equal(keys, listed);
    }
}
