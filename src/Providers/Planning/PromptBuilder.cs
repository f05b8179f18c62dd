namespace CinematicSwitch.Providers.Planning;

/// <summary>
/// The service spec's prompt template. With a person's media:
/// <code>
/// Transform this person into {description}. Maintain their recognizable facial features while applying the transformation. Scene details: {description}
///
/// Style: {preset}: {preset words}
/// Aspect ratio: {ratio}
/// </code>
/// The description goes in verbatim (trimmed). Style and aspect ratio lines appear only when given ("original" has no line);
/// a camera motion (video) adds "Camera motion: ...". A text-to-video request has no person, so its prompt starts with the
/// description itself. When the provider's prompt limit is exceeded, the repeated "Scene details" part is dropped first;
/// if still too long, the request is refused (InvalidInput) rather than cut.
/// </summary>
public static class PromptBuilder
{
    private const string FeaturesSentence = "Maintain their recognizable facial features while applying the transformation.";

    public static PromptResult Build(GenerationRequest request, int maxLength, string providerLabel)
    {
        if (request.PromptOverride is { Length: > 0 } overridden)
        {
            return overridden.Length <= maxLength
                ? new PromptResult(overridden, null)
                : new PromptResult(null, $"The prompt override is {overridden.Length} characters; {providerLabel} accepts at most {maxLength}.");
        }

        string? styleLine = null;
        if (!string.IsNullOrWhiteSpace(request.StylePreset))
        {
            if (!StylePresets.TryDescribe(request.StylePreset, out var words))
            {
                return new PromptResult(null,
                    $"Unsupported style_preset '{request.StylePreset.Trim()}'. Supported: {string.Join(", ", StylePresets.Names)}.");
            }

            styleLine = $"Style: {request.StylePreset.Trim().ToLowerInvariant()}: {words}";
        }

        var description = request.SceneDescription.Trim();
        var tail = new List<string>();
        if (styleLine is not null)
        {
            tail.Add(styleLine);
        }

        if (!string.Equals(request.AspectRatio, "original", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(request.AspectRatio))
        {
            tail.Add($"Aspect ratio: {request.AspectRatio.Trim()}");
        }

        if (request.Video?.CameraMotion is { Length: > 0 } camera)
        {
            tail.Add($"Camera motion: {camera.Trim()}");
        }

        var footer = tail.Count == 0 ? "" : "\n\n" + string.Join("\n", tail);
        var hasPerson = request.Media is not null;
        var full = hasPerson
            ? $"Transform this person into {Sentence(description)} {FeaturesSentence} Scene details: {description}{footer}"
            : $"{description}{footer}";
        if (full.Length <= maxLength)
        {
            return new PromptResult(full, null);
        }

        var compact = hasPerson ? $"Transform this person into {Sentence(description)} {FeaturesSentence}{footer}" : full;
        if (compact.Length <= maxLength)
        {
            return new PromptResult(compact, null);
        }

        var room = Math.Max(0, maxLength - (compact.Length - description.Length));
        return new PromptResult(null,
            $"The scene description is too long for {providerLabel}: its prompt may be at most {maxLength} characters, which leaves {room} for the description ({description.Length} given).");
    }

    /// <summary>The description as a sentence: a full stop is added only when it has no closing punctuation.</summary>
    private static string Sentence(string description) =>
        description.Length > 0 && ".!?".Contains(description[^1]) ? description : description + ".";
}

/// <summary>An assembled prompt, or why none fits.</summary>
public sealed record PromptResult(string? Prompt, string? Refusal);
