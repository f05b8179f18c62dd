using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Contracts;

/// <summary>A media format recognised from its content.</summary>
public sealed record MediaFormat(string ContentType, MediaKind Kind, string Extension, long MaxBytes);

/// <summary>
/// The formats the service accepts, recognised by their magic bytes, never by file name (the service spec's
/// "Validation &amp; Safety"): JPEG and PNG up to 16 MiB, MP4 and MOV up to 100 MiB.
/// </summary>
public static class MediaFormats
{
    public const long MaxImageBytes = 16 * 1024 * 1024;
    public const long MaxVideoBytes = 100 * 1024 * 1024;

    /// <summary>How many leading bytes <see cref="Detect"/> needs.</summary>
    public const int HeaderLength = 12;

    public static readonly MediaFormat Jpeg = new("image/jpeg", MediaKind.Image, "jpg", MaxImageBytes);
    public static readonly MediaFormat Png = new("image/png", MediaKind.Image, "png", MaxImageBytes);
    public static readonly MediaFormat Mp4 = new("video/mp4", MediaKind.Video, "mp4", MaxVideoBytes);
    public static readonly MediaFormat QuickTime = new("video/quicktime", MediaKind.Video, "mov", MaxVideoBytes);

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The format of content starting with <paramref name="header"/>, or null when it is none of the accepted ones.</summary>
    public static MediaFormat? Detect(ReadOnlySpan<byte> header)
    {
        if (header.Length >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF)
        {
            return Jpeg;
        }

        if (header.StartsWith(PngSignature))
        {
            return Png;
        }

        // ISO base media: a box size, then "ftyp" and the major brand. The same container also carries
        // HEIC/AVIF images and audio, so only video brands count.
        if (header.Length >= 12 && header[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = header[8..12];
            if (brand.SequenceEqual(QuickTimeBrand))
            {
                return QuickTime;
            }

            foreach (var video in VideoBrands)
            {
                if (brand.SequenceEqual(video))
                {
                    return Mp4;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The "ftyp" major brands taken for video (QuickTime's, then MP4's), as text: for clients that check a file before
    /// uploading it (the dashboard).
    /// </summary>
    public static IEnumerable<string> VideoBrandNames => VideoBrands.Prepend(QuickTimeBrand.ToArray()).Select(System.Text.Encoding.ASCII.GetString);

    private static ReadOnlySpan<byte> QuickTimeBrand => "qt  "u8;

    /// <summary>Major brands of MP4 video files (ISO/IEC 14496-12 and -14, and the common camera and phone ones).</summary>
    private static readonly byte[][] VideoBrands =
    [
        "isom"u8.ToArray(), "iso2"u8.ToArray(), "iso4"u8.ToArray(), "iso5"u8.ToArray(), "iso6"u8.ToArray(),
        "mp41"u8.ToArray(), "mp42"u8.ToArray(), "avc1"u8.ToArray(), "M4V "u8.ToArray(), "mmp4"u8.ToArray(),
        "3gp4"u8.ToArray(), "3gp5"u8.ToArray(), "3gp6"u8.ToArray(), "dash"u8.ToArray(), "MSNV"u8.ToArray(),
    ];
}
