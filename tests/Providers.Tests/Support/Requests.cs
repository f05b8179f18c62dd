using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;

namespace CinematicSwitch.Providers.Tests.Support;

/// <summary>Requests as the processor builds them, and small media for them.</summary>
public static class Requests
{
    /// <summary>A 64x48 PNG as a data URI.</summary>
    public static string PngDataUri { get; } = "data:image/png;base64," + Convert.ToBase64String(MediaStore.Png(64, 48));

    public static GenerationRequest Image(string description = "a medieval knight in a castle setting", int outputs = 1, string ratio = "16:9",
        string? style = null) =>
        new(Guid.NewGuid(), "tenant-a", TransformationTask.ImageTransform, new MediaInput(PngDataUri, "image/png", false), description, style, null,
            outputs, ratio, null, null);

    public static GenerationRequest ImageToVideo(string description = "a 1920s flapper dancing in a speakeasy", int outputs = 1, string ratio = "16:9",
        int seconds = 5, bool loop = false) =>
        new(Guid.NewGuid(), "tenant-b", TransformationTask.ImageToVideo, new MediaInput(PngDataUri, "image/png", false, 64, 48), description, null, null,
            outputs, ratio, new VideoSpec(seconds, loop), null);

    public static GenerationRequest TextToVideo(string description = "a castle gate opening at dawn, banners waving", string ratio = "16:9",
        int seconds = 5, bool loop = false) =>
        new(Guid.NewGuid(), "tenant-c", TransformationTask.TextToVideo, null, description, null, null, 1, ratio, new VideoSpec(seconds, loop), null);

    /// <summary>A description unique to the test, so its jobs can be told apart.</summary>
    public static string Unique(string description) => $"{description} ({Guid.NewGuid():N})";
}
