using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>Formats are recognised by their first bytes, never by name; look-alike containers are refused.</summary>
public sealed class MediaFormatsTests
{
    [Theory]
    [InlineData("FFD8FFE000104A4649460001", "image/jpeg", MediaKind.Image)]
    [InlineData("89504E470D0A1A0A0000000D", "image/png", MediaKind.Image)]
    [InlineData("000000206674797069736F6D", "video/mp4", MediaKind.Video)]
    [InlineData("00000018667479706D703432", "video/mp4", MediaKind.Video)]
    [InlineData("0000001C667479703367703520", "video/mp4", MediaKind.Video)]
    [InlineData("00000014667479707174202020", "video/quicktime", MediaKind.Video)]
    public void Accepted_formats_are_recognised_from_their_first_bytes(string hex, string contentType, MediaKind kind)
    {
        var format = MediaFormats.Detect(Convert.FromHexString(hex));
        Assert.NotNull(format);
        Assert.Equal(contentType, format.ContentType);
        Assert.Equal(kind, format.Kind);
    }

    [Theory]
    [InlineData("00000018667479706865696300")] // HEIC image in an ISO container
    [InlineData("0000001C6674797061766966")] // AVIF image
    [InlineData("00000020667479704D344120")] // M4A audio
    [InlineData("474946383961")] // GIF
    [InlineData("25504446")] // PDF
    [InlineData("")]
    [InlineData("FFD8")]
    public void Other_content_is_refused(string hex) => Assert.Null(MediaFormats.Detect(Convert.FromHexString(hex)));
}
