using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace CinematicSwitch.Testing;

/// <summary>What ffprobe says about a video file.</summary>
public sealed record VideoFacts(string Codec, int Width, int Height, string FrameRate, double DurationSeconds, string Text);

/// <summary>ffprobe and ffmpeg over archived videos: their stream facts, and frames as small grey pictures to compare.</summary>
public static class VideoProbe
{
    private const int Width = 32;
    private const int Height = 18;

    public static async Task<VideoFacts> ProbeAsync(string file)
    {
        var text = await RunAsync("ffprobe", $"-v error -select_streams v:0 -show_entries stream=codec_name,width,height,r_frame_rate -show_entries format=duration -of default=noprint_wrappers=1 {file}");
        var facts = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());
        return new VideoFacts(facts["codec_name"], int.Parse(facts["width"], CultureInfo.InvariantCulture), int.Parse(facts["height"], CultureInfo.InvariantCulture),
            facts["r_frame_rate"], double.Parse(facts["duration"], CultureInfo.InvariantCulture), text);
    }

    /// <summary>The frame at <paramref name="at"/>, as 32×18 grey bytes.</summary>
    public static Task<byte[]> FrameAsync(string file, TimeSpan at) =>
        GreyAsync($"-ss {at.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} -i {file} -frames:v 1");

    /// <summary>The last frame: the frames of the last second, of which the last picture.</summary>
    public static async Task<byte[]> LastFrameAsync(string file) => (await GreyAsync($"-sseof -1 -i {file}"))[^(Width * Height)..];

    /// <summary>Mean absolute difference of two grey pictures, 0 (equal) to 1.</summary>
    public static double Difference(byte[] a, byte[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Average() / 255.0;

    private static async Task<byte[]> GreyAsync(string input)
    {
        var output = Path.Combine(Path.GetTempPath(), $"frame-{Guid.NewGuid():N}.gray");
        try
        {
            await RunAsync("ffmpeg", $"-v error -y {input} -vf scale={Width}:{Height},format=gray -f rawvideo {output}");
            return await File.ReadAllBytesAsync(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<string> RunAsync(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {errors}");
        return await output;
    }
}
