using System.Diagnostics;
using System.Globalization;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>What ffprobe says about a downloaded video.</summary>
public sealed record VideoFacts(string Codec, int Width, int Height, string FrameRate, double DurationSeconds);

public static class Media
{
    public static async Task<byte[]> DownloadAsync(string url)
    {
        using var client = new HttpClient();
        return await client.GetByteArrayAsync(new Uri(url));
    }

    /// <summary>Downloads a video and reads its first stream and duration with ffprobe.</summary>
    public static async Task<VideoFacts> ProbeAsync(string url)
    {
        var file = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.mp4");
        await File.WriteAllBytesAsync(file, await DownloadAsync(url));
        try
        {
            var start = new ProcessStartInfo("ffprobe",
                $"-v error -select_streams v:0 -show_entries stream=codec_name,width,height,r_frame_rate -show_entries format=duration -of default=noprint_wrappers=1 {file}")
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(start)!;
            var text = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var facts = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim());
            return new VideoFacts(facts["codec_name"], int.Parse(facts["width"], CultureInfo.InvariantCulture), int.Parse(facts["height"], CultureInfo.InvariantCulture),
                facts["r_frame_rate"], double.Parse(facts["duration"], CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
