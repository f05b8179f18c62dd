using System.Globalization;
using FFMpegCore;
using FFMpegCore.Exceptions;

namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// Brings an image to an aspect ratio by a centre crop (ffmpeg): the largest W:H rectangle in the middle of the picture,
/// so a portrait keeps its subject while the output takes the requested proportions. Pixels are never stretched or padded.
/// </summary>
internal static class ImageCrop
{
    public static async Task<MediaBytes> ToRatioAsync(MediaBytes image, string ratio, CancellationToken cancellationToken)
    {
        var parts = ratio.Split(':');
        var (w, h) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        var folder = Directory.CreateTempSubdirectory("cinematic-crop-");
        try
        {
            var input = Path.Combine(folder.FullName, $"in.{image.Extension}");
            var output = Path.Combine(folder.FullName, "out.png");
            await File.WriteAllBytesAsync(input, image.Bytes, cancellationToken);
            // Even sizes: some encoders downstream want them; the crop stays centred.
            var filter = $"crop=w='2*trunc(min(iw,ih*{w}/{h})/2)':h='2*trunc(min(ih,iw*{h}/{w})/2)'";
            await FFMpegArguments.FromFileInput(input)
                .OutputToFile(output, overwrite: true, o => o.WithCustomArgument($"-vf \"{filter}\" -frames:v 1"))
                .ProcessAsynchronously(true, null, cancellationToken);
            return new MediaBytes(await File.ReadAllBytesAsync(output, cancellationToken), "image/png");
        }
        catch (FFMpegException ex)
        {
            throw new MediaUnavailableException("the input image could not be cropped to the requested ratio", tooLarge: false, ex);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
