using System.Globalization;
using System.Security.Cryptography;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace CinematicSwitch.Archiver.Archiving;

/// <summary>
/// One video per variation (ffmpeg): the clips of a chained video joined in order, fitted to the requested duration, as
/// H.264 at 24 fps (REQ13, REQ14). A seamless loop is fitted by retiming, never by cutting, so that it still ends on the
/// frame it starts with; any other video longer than asked is cut at the requested length. A single clip that is already
/// H.264 at 24 fps and within half a second of the request is archived as it came.
/// </summary>
internal static class VideoAssembler
{
    /// <summary>How far a video's length may be from the request before it is fitted.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(0.5);

    private const double FramesPerSecond = 24;

    /// <summary>The one video of <paramref name="clips"/>, or null when the single clip is archived as it is.</summary>
    /// <exception cref="FetchException">A clip is not a video ffmpeg can read (WrongType).</exception>
    public static async Task<DownloadedMedia?> AssembleAsync(IReadOnlyList<DownloadedMedia> clips, VideoOptions? video, string tempDirectory,
        CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(Path.Combine(tempDirectory, $"cinematic-assemble-{Guid.NewGuid():N}"));
        try
        {
            var files = new List<string>();
            foreach (var (clip, i) in clips.Select((c, i) => (c, i)))
            {
                var file = Path.Combine(folder.FullName, $"clip-{i}.{clip.Format.Extension}");
                await using (var copy = File.Create(file))
                {
                    clip.Content.Position = 0;
                    await clip.Content.CopyToAsync(copy, cancellationToken);
                }

                files.Add(file);
            }

            var probes = new List<IMediaAnalysis>();
            foreach (var file in files)
            {
                probes.Add(await FFProbe.AnalyseAsync(file, null, null, cancellationToken));
            }

            var total = probes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Duration);
            var target = video is { DurationSeconds: > 0 } ? TimeSpan.FromSeconds(video.DurationSeconds) : total;
            var first = probes[0].PrimaryVideoStream;
            if (clips.Count == 1 && first is { CodecName: "h264" } && Math.Abs(first.RealFrameRate - FramesPerSecond) < 0.01 &&
                (total - target).Duration() <= Tolerance)
            {
                return null;
            }

            // A loop keeps every frame (retimed); anything else is cut when too long and slowed when too short.
            var loop = video?.SeamlessLoop ?? false;
            var speed = loop || total < target - Tolerance ? target / total : 1.0;
            var inputs = string.Concat(files.Select((_, i) => $"[{i}:v]"));
            var filter = $"{inputs}concat=n={files.Count}:v=1:a=0[joined];[joined]setpts={speed.ToString("0.######", CultureInfo.InvariantCulture)}*PTS,fps={FramesPerSecond}[v]";
            var cut = loop ? "" : $" -t {target.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)}";
            var output = Path.Combine(folder.FullName, "video.mp4");
            var arguments = FFMpegArguments.FromFileInput(files[0]);
            foreach (var file in files.Skip(1))
            {
                arguments = arguments.AddFileInput(file);
            }

            await arguments
                .OutputToFile(output, overwrite: true, o => o.WithCustomArgument(
                    $"-filter_complex \"{filter}\" -map \"[v]\" -c:v libx264 -preset veryfast -pix_fmt yuv420p -r 24 -an -movflags +faststart{cut}"))
                .ProcessAsynchronously(true, null, cancellationToken);
            return await OpenAsync(output, tempDirectory, cancellationToken);
        }
        catch (Exception e) when (e is FFMpegException or FormatException or InvalidOperationException)
        {
            throw new FetchException(FetchFailureReason.WrongType, $"the video clips could not be joined: {e.GetType().Name}", inner: e);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The assembled file as a spooled download (deleted when disposed), with its size and SHA-256.</summary>
    private static async Task<DownloadedMedia> OpenAsync(string file, string tempDirectory, CancellationToken cancellationToken)
    {
        var spooled = new FileStream(Path.Combine(tempDirectory, $"cinematic-archiver-{Guid.NewGuid():N}.mp4"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using (var source = File.OpenRead(file))
            {
                await source.CopyToAsync(spooled, cancellationToken);
            }

            spooled.Position = 0;
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(spooled, cancellationToken));
            spooled.Position = 0;
            return new DownloadedMedia(spooled, MediaFormats.Mp4, spooled.Length, sha256);
        }
        catch
        {
            await spooled.DisposeAsync();
            throw;
        }
    }
}
