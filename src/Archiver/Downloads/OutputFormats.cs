using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Archiver.Downloads;

/// <summary>
/// The formats providers deliver, recognised by content: the service's own (<see cref="MediaFormats"/>: JPEG, PNG,
/// MP4, MOV) and WebP, which Replicate's image models produce by default. The size limits here are the archiver's
/// (<see cref="DownloadOptions"/>), not the upload limits of <see cref="MediaFormat.MaxBytes"/>.
/// </summary>
internal static class OutputFormats
{
    public static readonly MediaFormat WebP = new("image/webp", MediaKind.Image, "webp", MediaFormats.MaxImageBytes);

    /// <summary>How many leading bytes <see cref="Detect"/> needs to decide.</summary>
    public const int HeaderLength = MediaFormats.HeaderLength;

    /// <summary>Content-Type values that say nothing about the format: the content decides.</summary>
    private static readonly HashSet<string> Generic = new(StringComparer.OrdinalIgnoreCase) { "application/octet-stream", "binary/octet-stream" };

    private static readonly Dictionary<string, MediaKind> Declared = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = MediaKind.Image,
        ["image/jpg"] = MediaKind.Image,
        ["image/png"] = MediaKind.Image,
        ["image/webp"] = MediaKind.Image,
        ["video/mp4"] = MediaKind.Video,
        ["video/quicktime"] = MediaKind.Video,
    };

    public static MediaFormat? Detect(ReadOnlySpan<byte> header) =>
        header.Length >= 12 && header[..4].SequenceEqual("RIFF"u8) && header[8..12].SequenceEqual("WEBP"u8)
            ? WebP
            : MediaFormats.Detect(header);

    /// <summary>
    /// The kind a Content-Type header announces: Unknown for a missing or generic one (the content decides), null
    /// for one that is not an accepted image or video type.
    /// </summary>
    public static MediaKind? KindOfDeclared(string? mediaType) =>
        mediaType is null || Generic.Contains(mediaType) ? MediaKind.Unknown
        : Declared.TryGetValue(mediaType, out var kind) ? kind
        : null;
}
