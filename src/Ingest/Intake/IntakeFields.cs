using System.Text.Json;

namespace CinematicSwitch.Ingest.Intake;

/// <summary>The request's field names, as the service spec's Inputs table and /dev/run payload spell them.</summary>
internal static class Fields
{
    public const string Media = "media";
    public const string Image = "image";
    public const string SceneDescription = "scene_description";
    public const string Prompt = "prompt";
    public const string StylePreset = "style_preset";
    public const string OutputCount = "output_count";
    public const string AspectRatio = "aspect_ratio";
    public const string Task = "task";
    public const string Provider = "provider";
    public const string Model = "model";
    public const string DurationSeconds = "duration_seconds";
    public const string SeamlessLoop = "seamless_loop";
    public const string Seed = "seed";
    public const string CameraMotion = "camera_motion";

    /// <summary>The fields a request may carry besides its media; anything else is ignored.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        SceneDescription, Prompt, StylePreset, OutputCount, AspectRatio, Task, Provider, Model, DurationSeconds, SeamlessLoop, Seed, CameraMotion,
    };

    public static readonly string[] VideoOptions = [DurationSeconds, SeamlessLoop, Seed, CameraMotion];
}

/// <summary>A field as it arrived: text (form fields, JSON strings) or another JSON value, kept as its raw text.</summary>
internal readonly record struct FieldValue(string? Text, JsonValueKind Kind)
{
    public bool IsText => Kind == JsonValueKind.String;

    public static FieldValue FromText(string text) => new(text, JsonValueKind.String);

    public static FieldValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => FromText(element.GetString()!),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => new(element.GetRawText(), element.ValueKind),
        _ => new(null, element.ValueKind),
    };
}

/// <summary>How an endpoint names the fields its errors talk about.</summary>
internal sealed record IntakeContract(string Endpoint, string DescriptionField, string MediaField)
{
    /// <summary>POST /generate/cinematic: the spec's Inputs table.</summary>
    public static readonly IntakeContract Generate = new("/generate/cinematic", Fields.SceneDescription, Fields.Media);

    /// <summary>POST /dev/run: the spec's JSON contract, whose payload has "prompt" and "image".</summary>
    public static readonly IntakeContract DevRun = new("/dev/run", Fields.Prompt, Fields.Image);
}

/// <summary>The non-media fields of one request, in arrival order; a repeated field keeps its last value.</summary>
internal sealed class IntakeFields
{
    private readonly Dictionary<string, FieldValue> _values = new(StringComparer.Ordinal);

    public void Set(string name, FieldValue value)
    {
        // JSON null is "not given", like an absent field.
        if (value.Kind is not JsonValueKind.Null and not JsonValueKind.Undefined)
        {
            _values[name] = value;
        }
    }

    public FieldValue? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name);
}
