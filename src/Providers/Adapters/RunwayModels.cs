namespace CinematicSwitch.Providers.Adapters;

/// <summary>
/// A video model of Runway's developer API as the official SDKs declare its create parameters
/// (runwayml/sdk-node src/resources/image-to-video.ts, text-to-video.ts; runwayml/sdk-python types/*_create_params.py).
/// </summary>
/// <param name="ImageRatios">Request ratio ("16:9") to the API's pixel ratio on POST v1/image_to_video.</param>
/// <param name="TextRatios">The same for native POST v1/text_to_video; empty when the model has no text-to-video.</param>
/// <param name="Durations">Clip lengths the model accepts, in seconds.</param>
/// <param name="LastFrame">Whether promptImage may carry a "last" keyframe (seamless loops, chains that join without a cut).</param>
/// <param name="TakesSeed">Whether the create parameters have a seed (the Veo models have none).</param>
/// <param name="TakesAudio">Whether the model generates audio unless told not to (Veo: audio changes the price; sent false).</param>
internal sealed record RunwayVideoModel(
    string Name,
    IReadOnlyDictionary<string, string> ImageRatios,
    IReadOnlyDictionary<string, string> TextRatios,
    IReadOnlyList<int> Durations,
    bool LastFrame,
    bool TakesSeed,
    bool TakesAudio);

/// <summary>The models of Runway's API that the adapter knows, per task, and the ones Runway retired.</summary>
internal static class RunwayModels
{
    private static readonly Dictionary<string, string> Gen4Ratios = new()
    {
        ["16:9"] = "1280:720",
        ["9:16"] = "720:1280",
        ["1:1"] = "960:960",
        ["4:3"] = "1104:832",
        ["3:4"] = "832:1104",
        ["21:9"] = "1584:672",
    };

    // Veo also offers 1920:1080 and 1080:1920; REQ12 asks for output up to 1280 pixels wide, so the 720p sizes are used.
    private static readonly Dictionary<string, string> VeoRatios = new() { ["16:9"] = "1280:720", ["9:16"] = "720:1280" };

    private static readonly Dictionary<string, string> None = [];

    /// <summary>Models that make clips (image-to-video, and text-to-video where <see cref="RunwayVideoModel.TextRatios"/> is set).</summary>
    public static readonly IReadOnlyDictionary<string, RunwayVideoModel> Video = new Dictionary<string, RunwayVideoModel>
    {
        // Gen-4.5: image- and text-to-video, 2-10 s, first keyframe only, seed.
        ["gen4.5"] = new("gen4.5", Gen4Ratios, new Dictionary<string, string> { ["16:9"] = "1280:720", ["9:16"] = "720:1280" },
            [2, 3, 4, 5, 6, 7, 8, 9, 10], LastFrame: false, TakesSeed: true, TakesAudio: false),

        // Gen-4 Turbo: image-to-video only, first keyframe only, seed; the SDKs leave the duration open, Runway's guides say 5 or 10.
        ["gen4_turbo"] = new("gen4_turbo", Gen4Ratios, None, [5, 10], LastFrame: false, TakesSeed: true, TakesAudio: false),

        // Veo 3.1 and its fast variant: first and last keyframes (loops, seamless chains), 4, 6 or 8 s, no seed, optional audio.
        ["veo3.1"] = new("veo3.1", VeoRatios, VeoRatios, [4, 6, 8], LastFrame: true, TakesSeed: false, TakesAudio: true),
        ["veo3.1_fast"] = new("veo3.1_fast", VeoRatios, VeoRatios, [4, 6, 8], LastFrame: true, TakesSeed: false, TakesAudio: true),
    };

    /// <summary>POST v1/text_to_image models that can make a first frame from the prompt alone.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> FirstFrame = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["gen4_image"] = new Dictionary<string, string>
        {
            ["16:9"] = "1280:720",
            ["9:16"] = "720:1280",
            ["1:1"] = "1024:1024",
            ["4:3"] = "960:720",
            ["3:4"] = "720:960",
            ["21:9"] = "1680:720",
        },
    };

    /// <summary>
    /// POST v1/video_to_video models and the target ratios they can expand (outpaint) the input video to
    /// ("targetAspectRatio"; "original" keeps the input's proportions).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> VideoToVideo = new Dictionary<string, IReadOnlyList<string>>
    {
        ["aleph2"] = ["16:9", "4:3", "3:2", "1:1", "2:3", "3:4", "9:16", "21:9"],
    };

    /// <summary>
    /// Models Runway removed from the create parameters of its API (SDK v5.0.0 of 2026-06-10; they survive only in usage
    /// reports), with what replaces them here.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Retired = new Dictionary<string, string>
    {
        ["gen3a_turbo"] = "gen4.5 or gen4_turbo (image-to-video), veo3.1_fast (first and last keyframes)",
        ["gen4_aleph"] = "aleph2 (video-to-video)",
    };

    /// <summary>Seeds are 0 to 4294967295.</summary>
    public const long MaxSeed = 4_294_967_295L;

    public static string Describe(string model, IEnumerable<string> known) => Retired.TryGetValue(model, out var replacement)
        ? $"'{model}' was retired by Runway (no longer in the API's create parameters); use {replacement}"
        : $"'{model}' is not a model the Runway adapter knows for this task; known: {string.Join(", ", known)}";
}
