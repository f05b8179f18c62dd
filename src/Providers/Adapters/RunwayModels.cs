namespace CinematicSwitch.Providers;

/// <summary>An image-to-video model of Runway's API: its ratios (request key → API value), clip lengths and keyframes.</summary>
/// <param name="LastFrame">Whether promptImage may carry a "last" keyframe (seamless loops, continuous chains).</param>
internal sealed record RunwayVideoModel(string Name, IReadOnlyDictionary<string, string> Ratios, IReadOnlyList<int> Durations, bool LastFrame, string DefaultRatio);

/// <summary>The models of Runway's developer API that the adapter knows (per the API reference of X-Runway-Version 2024-11-06).</summary>
internal static class RunwayModels
{
    public static readonly IReadOnlyDictionary<string, RunwayVideoModel> ImageToVideo = new Dictionary<string, RunwayVideoModel>
    {
        // Gen-3 Alpha Turbo: first and last keyframes, 5 or 10 s, landscape or portrait only.
        ["gen3a_turbo"] = new("gen3a_turbo", new Dictionary<string, string> { ["16:9"] = "1280:768", ["9:16"] = "768:1280" }, [5, 10], true, "16:9"),

        // Gen-4 Turbo: first keyframe only, 2-10 s, six ratios (including 1:1).
        ["gen4_turbo"] = new("gen4_turbo", new Dictionary<string, string>
        {
            ["16:9"] = "1280:720",
            ["9:16"] = "720:1280",
            ["1:1"] = "960:960",
            ["4:3"] = "1104:832",
            ["3:4"] = "832:1104",
            ["21:9"] = "1584:672",
        }, [2, 3, 4, 5, 6, 7, 8, 9, 10], false, "16:9"),
    };

    /// <summary>text_to_image ratios used for a generated first frame (gen4_image).</summary>
    public static readonly IReadOnlyDictionary<string, string> FirstFrameRatios = new Dictionary<string, string>
    {
        ["16:9"] = "1280:720",
        ["9:16"] = "720:1280",
        ["1:1"] = "1024:1024",
        ["4:3"] = "960:720",
        ["3:4"] = "720:960",
        ["21:9"] = "1680:720",
    };

    /// <summary>Seeds are 0 to 4294967295.</summary>
    public const long MaxSeed = 4_294_967_295L;
}
