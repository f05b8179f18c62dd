namespace CinematicSwitch.Providers.Planning;

/// <summary>Aspect ratio strings ("16:9") and the choice among what a model offers.</summary>
internal static class AspectRatios
{
    public const string Original = "original";

    public static bool IsOriginal(string ratio) => string.Equals(ratio.Trim(), Original, StringComparison.OrdinalIgnoreCase);

    /// <summary>"16:9" → 1.777...; null for anything that is not two positive integers.</summary>
    public static double? Value(string ratio)
    {
        var parts = ratio.Trim().Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], out var w) && int.TryParse(parts[1], out var h) && w > 0 && h > 0
            ? (double)w / h
            : null;
    }

    /// <summary>
    /// The model's ratio key for a request: the requested one if the model has it; for "original", the key nearest
    /// to the media's own proportions when known (else <paramref name="fallback"/>). Null when the model lacks the ratio.
    /// </summary>
    public static string? Choose(string requested, MediaInput? media, IEnumerable<string> supported, string? fallback)
    {
        var keys = supported.ToList();
        if (!IsOriginal(requested))
        {
            var normalized = requested.Trim();
            return keys.FirstOrDefault(k => k == normalized);
        }

        if (media is { Width: > 0, Height: > 0 })
        {
            var target = (double)media.Width.Value / media.Height.Value;
            return keys.Where(k => Value(k) is not null).MinBy(k => Math.Abs(Math.Log(Value(k)!.Value / target)));
        }

        return fallback;
    }
}

/// <summary>Video durations a model allows, and chains of clips for longer videos.</summary>
internal static class Durations
{
    /// <summary>
    /// Clip lengths that together cover <paramref name="requested"/> seconds: one clip when a model's clip is long enough
    /// (the shortest that is), else a chain of clips (longest first) when chaining is allowed. Null when impossible.
    /// </summary>
    public static IReadOnlyList<int>? Plan(int requested, IReadOnlyList<int> allowed, bool canChain, int maxSegments)
    {
        if (requested <= 0 || allowed.Count == 0)
        {
            return null;
        }

        var single = allowed.Where(d => d >= requested).Order().ToList();
        if (single.Count > 0)
        {
            return [single[0]];
        }

        if (!canChain)
        {
            return null;
        }

        var clips = new List<int>();
        var remaining = requested;
        var longest = allowed.Max();
        while (remaining > 0)
        {
            var fits = allowed.Where(d => d >= remaining).Order().ToList();
            var clip = fits.Count > 0 ? fits[0] : longest;
            clips.Add(clip);
            remaining -= clip;
        }

        return clips.Count <= maxSegments ? clips : null;
    }
}
