using System.Globalization;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Providers;
using CinematicSwitch.Providers.Planning;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>
/// The service spec's "Validation &amp; Safety" rules over the request's fields, then the providers' own capability
/// check (<see cref="IGenerationRunner.Check"/>) on the event as it will be published, mapped by
/// <see cref="GenerationRequest.From"/> as the processor maps it, so that nothing is published that the pipeline would
/// refuse. Every refusal is an <see cref="ApiException"/> with the spec's message.
/// </summary>
internal sealed class RequestValidator(IGenerationRunner runner)
{
    public const int MinDescriptionLength = 10;
    public const int MaxDescriptionLength = 2000;
    public const int MaxVideoSeconds = 60;
    public const int MaxCameraMotionLength = 200;

    private const string DescriptionRequired = "Scene description is required and must be non-empty";

    /// <summary>The spec's task names (/dev/run) and the events' own, to what they ask for.</summary>
    private static readonly Dictionary<string, TaskChoice> Tasks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["IMAGE_GENERATION"] = TaskChoice.Image,
        ["VIDEO_GENERATION"] = TaskChoice.Video,
        ["IMAGE_TRANSFORM"] = TaskChoice.Of(TransformationTask.ImageTransform),
        ["IMAGE_TO_VIDEO"] = TaskChoice.Of(TransformationTask.ImageToVideo),
        ["TEXT_TO_VIDEO"] = TaskChoice.Of(TransformationTask.TextToVideo),
        ["VIDEO_TO_VIDEO"] = TaskChoice.Of(TransformationTask.VideoToVideo),
    };

    private static readonly Dictionary<string, Provider> Providers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["REPLICATE"] = Provider.Replicate,
        ["RUNWAY"] = Provider.Runway,
        ["LEONARDO"] = Provider.Leonardo,
    };

    /// <summary>
    /// The rules that hold whatever else the request says, over the fields that arrived so far: run when the media
    /// starts, so that a bad description is refused before a 100 MB upload is stored.
    /// </summary>
    public static void CheckArrivedFields(IntakeFields fields, IntakeContract contract) => Parse(fields, contract);

    /// <summary>Every rule, with the media as stored (or none), then the capability check: the event to publish.</summary>
    public TransformationRequested Validate(IntakeFields fields, IntakeContext context, MediaReference? media, DateTimeOffset occurredAt)
    {
        var contract = context.Contract;
        var parsed = Parse(fields, contract);
        var description = parsed.Description ?? parsed.Prompt
            ?? throw Problems.Missing(contract.DescriptionField, DescriptionRequired);

        var task = ResolveTask(parsed.Task, media, contract);
        if (task == TransformationTask.ImageTransform && Fields.VideoOptions.FirstOrDefault(fields.Has) is { } videoField)
        {
            throw Problems.InvalidValue(videoField, "Video options apply to video tasks only.");
        }

        var video = Fields.VideoOptions.Any(fields.Has)
            ? new VideoOptions(parsed.DurationSeconds ?? 5, parsed.SeamlessLoop ?? false, parsed.Seed, parsed.CameraMotion)
            : null;

        var requested = new TransformationRequested(context.RequestId, context.TenantId, context.CorrelationId, context.Requester, occurredAt,
            task, media, description, parsed.StylePreset, parsed.Prompt, parsed.OutputCount, parsed.AspectRatio, video, parsed.Provider, null);
        var request = GenerationRequest.From(requested);
        var check = runner.Check(request);
        if (check.Refusal is { } refusal)
        {
            // The providers' refusal names the limit it hit and never user content. When the same request in the
            // media's own proportions would be served, the aspect ratio is what the chosen provider cannot do.
            throw request.AspectRatio != "original" && runner.Check(request with { AspectRatio = "original" }).Supported
                ? Problems.InvalidValue(Fields.AspectRatio, refusal.Message)
                : Problems.Invalid(refusal.Message, "request", "The providers cannot serve this request as asked.");
        }

        if (parsed.Model is { } model && !string.Equals(model, check.Model, StringComparison.OrdinalIgnoreCase))
        {
            throw Problems.InvalidValue(Fields.Model, $"Models are fixed: this request is served by {check.Model}.", ("model_used", check.Model));
        }

        return requested;
    }

    private static TransformationTask ResolveTask(TaskChoice? choice, MediaReference? media, IntakeContract contract)
    {
        if (choice?.Task is { } explicitTask)
        {
            if (explicitTask != TransformationTask.TextToVideo && media is null)
            {
                throw Problems.Missing(contract.MediaField, "A photo or video file is required for this task.");
            }

            return explicitTask;
        }

        return media?.Kind switch
        {
            MediaKind.Image => choice == TaskChoice.Video ? TransformationTask.ImageToVideo : TransformationTask.ImageTransform,
            MediaKind.Video => TransformationTask.VideoToVideo,
            _ when choice == TaskChoice.Video => TransformationTask.TextToVideo,
            _ => throw Problems.Missing(contract.MediaField, "A photo or video file is required."),
        };
    }

    private sealed record ParsedFields(
        string? Description,
        string? Prompt,
        string? StylePreset,
        int OutputCount,
        string AspectRatio,
        TaskChoice? Task,
        Provider? Provider,
        string? Model,
        int? DurationSeconds,
        bool? SeamlessLoop,
        long? Seed,
        string? CameraMotion);

    private static ParsedFields Parse(IntakeFields fields, IntakeContract contract) => new(
        Description: Text(fields, Fields.SceneDescription),
        Prompt: Text(fields, Fields.Prompt),
        StylePreset: Optional(fields, Fields.StylePreset) is { } preset
            ? StylePresets.TryDescribe(preset, out _)
                ? preset.ToLowerInvariant()
                : throw Problems.InvalidValue(Fields.StylePreset, $"Use one of: {string.Join(", ", StylePresets.Names)}.")
            : null,
        OutputCount: Integer(fields, Fields.OutputCount, 1, 5, "output_count must be a whole number from 1 to 5.") ?? 1,
        AspectRatio: AspectRatio(fields),
        Task: Optional(fields, Fields.Task) is { } task
            ? Tasks.GetValueOrDefault(task.Replace('-', '_').Replace(' ', '_'))
              ?? throw Problems.InvalidValue(Fields.Task, $"Use one of: {string.Join(", ", Tasks.Keys)}.")
            : null,
        Provider: Optional(fields, Fields.Provider) is { } provider
            ? Providers.TryGetValue(provider, out var known)
                ? known
                : throw Problems.InvalidValue(Fields.Provider, $"Use one of: {string.Join(", ", Providers.Keys)}.")
            : null,
        Model: Optional(fields, Fields.Model),
        DurationSeconds: Integer(fields, Fields.DurationSeconds, 1, MaxVideoSeconds, $"duration_seconds must be a whole number from 1 to {MaxVideoSeconds}."),
        SeamlessLoop: Boolean(fields, Fields.SeamlessLoop),
        Seed: Long(fields, Fields.Seed, 0, uint.MaxValue, $"seed must be a whole number from 0 to {uint.MaxValue}."),
        CameraMotion: Optional(fields, Fields.CameraMotion) is { } motion
            ? motion.Length <= MaxCameraMotionLength
                ? motion
                : throw Problems.InvalidValue(Fields.CameraMotion, $"camera_motion must be at most {MaxCameraMotionLength} characters.")
            : null);

    /// <summary>scene_description and prompt: a string, non-empty after trim, 10 to 2000 characters after trim.</summary>
    private static string? Text(IntakeFields fields, string name)
    {
        if (fields.Get(name) is not { } value)
        {
            return null;
        }

        if (!value.IsText)
        {
            throw Problems.Description(name, "Scene description must be a string");
        }

        var trimmed = value.Text!.Trim();
        if (trimmed.Length == 0)
        {
            throw Problems.Missing(name, DescriptionRequired);
        }

        // UTF-16 length, as the processor counts: nothing Ingest accepts is refused there.
        return trimmed.Length is >= MinDescriptionLength and <= MaxDescriptionLength ? trimmed : throw DescriptionLengthProblem(name, trimmed.Length);
    }

    public static ApiException DescriptionLengthProblem(string field, int? length) =>
        Problems.Description(field, $"Scene description must be between {MinDescriptionLength} and {MaxDescriptionLength} characters after trimming",
            ("length", length), ("min_length", MinDescriptionLength), ("max_length", MaxDescriptionLength));

    /// <summary>An optional text field; empty (a form's blank select) counts as not given.</summary>
    private static string? Optional(IntakeFields fields, string name) => fields.Get(name) switch
    {
        null => null,
        { IsText: true } value => value.Text!.Trim() is { Length: > 0 } text ? text : null,
        _ => throw Problems.InvalidValue(name, $"{name} must be a string."),
    };

    private static int? Integer(IntakeFields fields, string name, int min, int max, string reason) =>
        (int?)Long(fields, name, min, max, reason);

    private static long? Long(IntakeFields fields, string name, long min, long max, string reason)
    {
        if (fields.Get(name) is not { } value || (value.IsText && string.IsNullOrWhiteSpace(value.Text)))
        {
            return null;
        }

        return value.Kind is System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number
               && long.TryParse(value.Text!.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
               && number >= min && number <= max
            ? number
            : throw Problems.InvalidValue(name, reason);
    }

    private static bool? Boolean(IntakeFields fields, string name)
    {
        if (fields.Get(name) is not { } value || (value.IsText && string.IsNullOrWhiteSpace(value.Text)))
        {
            return null;
        }

        // JSON booleans, and what HTML forms send for checkboxes.
        return value.Text?.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "on" or "yes" => true,
            "false" or "0" or "off" or "no" => false,
            _ => throw Problems.InvalidValue(name, $"{name} must be true or false."),
        };
    }

    /// <summary>"original" or two positive whole numbers "W:H" (16:9, 1:1, 9:16, ...); which ones a provider offers is its business.</summary>
    private static string AspectRatio(IntakeFields fields)
    {
        if (Optional(fields, Fields.AspectRatio) is not { } ratio || string.Equals(ratio, "original", StringComparison.OrdinalIgnoreCase))
        {
            return "original";
        }

        var parts = ratio.Split(':');
        return parts.Length == 2
               && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
               && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
               && w is > 0 and <= 100 && h is > 0 and <= 100
            ? $"{w}:{h}"
            : throw Problems.InvalidValue(Fields.AspectRatio, "Use 'original' or a ratio such as 16:9, 1:1 or 9:16.");
    }

    /// <summary>A task as asked: a specific one, or the spec's IMAGE_GENERATION / VIDEO_GENERATION, decided by the media.</summary>
    private sealed record TaskChoice(TransformationTask? Task)
    {
        public static readonly TaskChoice Image = new(TransformationTask.ImageTransform);
        public static readonly TaskChoice Video = new((TransformationTask?)null);

        public static TaskChoice Of(TransformationTask task) => new(task);
    }
}
