namespace CinematicSwitch.Providers.Planning;

/// <summary>
/// The supported style_preset values and the words each folds into the prompt's "Style:" line.
/// Values are matched case-insensitively; anything else is refused with InvalidInput.
/// </summary>
public static class StylePresets
{
    private static readonly Dictionary<string, string> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["medieval"] = "medieval, castle-era setting, period costume and armor, torch-lit",
        ["futuristic"] = "futuristic, sleek sci-fi setting, advanced technology, neon accents",
        ["vintage"] = "vintage, analog film photograph, warm faded colors, film grain",
        ["cinematic"] = "cinematic, dramatic lighting, shallow depth of field, film still",
        ["noir"] = "film noir, black and white, hard shadows, 1940s detective mood",
        ["fantasy"] = "high fantasy, magical atmosphere, epic landscape",
        ["cyberpunk"] = "cyberpunk, rain-soaked neon city at night, high-tech low-life",
        ["western"] = "wild west, dusty frontier town, golden hour",
        ["roaring-twenties"] = "1920s, art deco, jazz-age glamour",
        ["renaissance"] = "renaissance oil painting, chiaroscuro, classical composition",
        ["anime"] = "anime, cel shading, vibrant colors",
        ["watercolor"] = "watercolor painting, soft washes, paper texture",
    };

    /// <summary>Preset names, in the order documented above.</summary>
    public static IReadOnlyCollection<string> Names => Presets.Keys;

    public static bool TryDescribe(string preset, out string description) =>
        Presets.TryGetValue(preset.Trim(), out description!);
}
