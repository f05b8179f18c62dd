using System.Security.Cryptography;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Streaming.Tests;

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
}
