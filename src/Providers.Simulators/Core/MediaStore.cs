using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>
/// Real media for simulated outputs, made once per size and served from memory: PNG by a small encoder of its own,
/// JPEG, WebP and MP4 (H.264, 24 fps) by ffmpeg into a disk cache shared across runs. Nothing is encoded per job.
/// </summary>
public sealed class MediaStore(string cacheDirectory)
{
    private const int MaxImageSide = 256;
    private const int MaxVideoSide = 320;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> cache = new(StringComparer.Ordinal);

    /// <summary>Width and height of a simulated image for a "W:H" ratio.</summary>
    public static (int Width, int Height) ImageSize(double ratio) => Fit(ratio, MaxImageSide);

    /// <summary>Width and height of a simulated video for a "W:H" ratio (even, as H.264 with 4:2:0 needs).</summary>
    public static (int Width, int Height) VideoSize(double ratio) => Fit(ratio, MaxVideoSide);

    /// <summary>"16:9" or "1280:720" as a number; null when not a ratio.</summary>
    public static double? Ratio(string? text)
    {
        var parts = (text ?? "").Split(':', 'x');
        return parts.Length == 2 && double.TryParse(parts[0], out var w) && double.TryParse(parts[1], out var h) && w > 0 && h > 0 ? w / h : null;
    }

    public static string ImagePath(int width, int height, string format, string name) => $"media/image/{width}/{height}/{format}/{name}.{Extension(format)}";

    public static string VideoPath(int width, int height, int seconds, string name) => $"media/video/{width}/{height}/{seconds}/{name}.mp4";

    /// <summary>A clip that ends on the frame it starts with (a keyframed loop).</summary>
    public static string LoopPath(int width, int height, int seconds, string name) => $"media/loop/{width}/{height}/{seconds}/{name}.mp4";

    public Task<byte[]> ImageAsync(int width, int height, string format) =>
        Get($"image-{width}x{height}.{Extension(format)}", () => format == "png"
            ? Task.FromResult(Png(width, height))
            : FfmpegAsync($"-f lavfi -i testsrc2=size={width}x{height} -frames:v 1", Extension(format)));

    public Task<byte[]> VideoAsync(int width, int height, int seconds) =>
        Get($"video-{width}x{height}-{seconds}s.mp4", () => FfmpegAsync(
            $"-f lavfi -i testsrc2=size={width}x{height}:rate=24 -t {seconds} -c:v libx264 -preset ultrafast -pix_fmt yuv420p -r 24 -movflags +faststart",
            "mp4"));

    /// <summary>
    /// A clip whose first and last frames are the same, as a model given one image as first and last keyframe makes it:
    /// the test pattern played forward for half the time, then backward.
    /// </summary>
    public Task<byte[]> LoopVideoAsync(int width, int height, int seconds) =>
        Get($"loop-{width}x{height}-{seconds}s.mp4", () => FfmpegAsync(
            $"-f lavfi -i testsrc2=size={width}x{height}:rate=24:duration={seconds / 2.0:0.###} -filter_complex \"[0]split[a][b];[b]reverse[r];[a][r]concat=n=2:v=1:a=0\" " +
            "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -r 24 -movflags +faststart",
            "mp4"));

    /// <summary>Whether ffmpeg can be run (videos, JPEG and WebP need it).</summary>
    public static bool FfmpegAvailable()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("ffmpeg", "-hide_banner -version") { RedirectStandardOutput = true, UseShellExecute = false });
            process?.WaitForExit(10_000);
            return process?.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public static string ContentType(string extension) => extension switch
    {
        "png" => "image/png",
        "jpg" => "image/jpeg",
        "webp" => "image/webp",
        _ => "video/mp4",
    };

    private static string Extension(string format) => format == "jpeg" ? "jpg" : format;

    private static (int, int) Fit(double ratio, int maxSide)
    {
        var (w, h) = ratio >= 1 ? ((double)maxSide, maxSide / ratio) : (maxSide * ratio, (double)maxSide);
        return (Math.Max(2, (int)Math.Round(w / 2) * 2), Math.Max(2, (int)Math.Round(h / 2) * 2));
    }

    private Task<byte[]> Get(string key, Func<Task<byte[]>> make)
    {
        var lazy = cache.GetOrAdd(key, _ => new Lazy<Task<byte[]>>(async () =>
        {
            var file = Path.Combine(cacheDirectory, key);
            if (File.Exists(file))
            {
                return await File.ReadAllBytesAsync(file);
            }

            var bytes = await make();
            Directory.CreateDirectory(cacheDirectory);
            var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
            await File.WriteAllBytesAsync(temp, bytes);
            File.Move(temp, file, overwrite: true);
            return bytes;
        }));
        var task = lazy.Value;
        if (task.IsFaulted)
        {
            cache.TryRemove(key, out _);
        }

        return task;
    }

    private async Task<byte[]> FfmpegAsync(string input, string extension)
    {
        Directory.CreateDirectory(cacheDirectory);
        var output = Path.Combine(cacheDirectory, Guid.NewGuid().ToString("N") + "." + extension);
        var start = new ProcessStartInfo("ffmpeg", $"-hide_banner -loglevel error -y {input} {output}")
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg could not be started.");
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {errors}");
        }

        var bytes = await File.ReadAllBytesAsync(output);
        File.Delete(output);
        return bytes;
    }

    /// <summary>An RGB PNG with a diagonal gradient: valid, small, and made in memory.</summary>
    public static byte[] Png(int width, int height)
    {
        var raw = new byte[height * ((width * 3) + 1)];
        for (var y = 0; y < height; y++)
        {
            var row = y * ((width * 3) + 1);
            for (var x = 0; x < width; x++)
            {
                raw[row + 1 + (x * 3)] = (byte)(x * 255 / Math.Max(1, width - 1));
                raw[row + 2 + (x * 3)] = (byte)(y * 255 / Math.Max(1, height - 1));
                raw[row + 3 + (x * 3)] = 160;
            }
        }

        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: truecolour
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        png.Write(crc);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
