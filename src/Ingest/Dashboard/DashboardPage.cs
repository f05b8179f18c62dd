using System.Collections.Frozen;
using System.Security.Cryptography;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Providers;
using CinematicSwitch.Providers.Planning;
using CinematicSwitch.ServiceDefaults.Storage;
using Microsoft.Net.Http.Headers;

namespace CinematicSwitch.Ingest.Dashboard;

/// <summary>A file of the page, as embedded in this assembly, with its validator for conditional requests.</summary>
internal sealed record DashboardAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);

/// <summary>
/// What the page needs to check a request before uploading it, taken from the rules the API applies so that the two
/// never disagree: the presets, the aspect ratios the providers accept for a photo and for a video, the limits, the video
/// brands recognised by content, and the spec's exact messages.
/// </summary>
internal sealed record DashboardSettings(
    IReadOnlyCollection<string> StylePresets,
    IReadOnlyList<string> ImageAspectRatios,
    IReadOnlyList<string> VideoAspectRatios,
    int MinOutputCount,
    int MaxOutputCount,
    int MinDescriptionLength,
    int MaxDescriptionLength,
    long MaxImageBytes,
    long MaxVideoBytes,
    IReadOnlyList<string> VideoBrands,
    DashboardMessages Messages);

internal sealed record DashboardMessages(string MissingMedia, string MediaUpload, string UnsupportedFormat, string MissingDescription, string TextValidation);

/// <summary>
/// The /dashboard/cinematic-switch page: static files embedded in the assembly (no build step, nothing from another
/// origin), the settings its checks use, and its Content-Security-Policy.
/// </summary>
internal sealed class DashboardPage(ObjectStore store, IGenerationRunner runner)
{
    public const string Route = "/dashboard/cinematic-switch";

    /// <summary>The ratios the page may offer: the spec's examples (Runway's REQ4 too) and the other common ones.</summary>
    private static readonly string[] Candidates = ["original", "16:9", "1:1", "9:16", "4:3", "3:4", "3:2", "2:3", "5:4", "4:5", "21:9"];

    /// <summary>Settings for the page, with the ratios the configured providers accept for what the page sends: a photo to transform, a video to transform.</summary>
    public DashboardSettings Settings => settings ??= new(
        StylePresets.Names,
        Accepted(TransformationTask.ImageTransform, new MediaInput("https://media.invalid/photo.png", "image/png", false)),
        Accepted(TransformationTask.VideoToVideo, new MediaInput("https://media.invalid/clip.mp4", "video/mp4", true)),
        // The spec's output_count range.
        1,
        5,
        RequestValidator.MinDescriptionLength,
        RequestValidator.MaxDescriptionLength,
        MediaFormats.MaxImageBytes,
        MediaFormats.MaxVideoBytes,
        MediaFormats.VideoBrandNames.ToList(),
        new DashboardMessages(
            UserMessages.MissingField(Fields.Media),
            UserMessages.MediaUpload,
            UserMessages.UnsupportedFormat,
            UserMessages.MissingField(Fields.SceneDescription),
            UserMessages.TextValidation));

    private DashboardSettings? settings;

    /// <summary>The candidate ratios the providers' capability check (the API's own rule) accepts for <paramref name="task"/>.</summary>
    private List<string> Accepted(TransformationTask task, MediaInput media) => Candidates.Where(ratio => runner.Check(new GenerationRequest(
        Guid.Empty, "dashboard", task, media, "a scene description", null, null, 1, ratio, null, null)).Supported).ToList();

    /// <summary>The page itself, served only at <see cref="Route"/> (with its policy).</summary>
    public static readonly DashboardAsset Html = Load("index.html", "text/html; charset=utf-8");

    private static readonly FrozenDictionary<string, DashboardAsset> Assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal)
    {
        ["app.css"] = Load("app.css", "text/css; charset=utf-8"),
        ["app.js"] = Load("app.js", "text/javascript; charset=utf-8"),
        ["icon.svg"] = Load("icon.svg", "image/svg+xml"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The page's script, style sheet or icon by file name.</summary>
    public static DashboardAsset? Asset(string name) => Assets.GetValueOrDefault(name);

    /// <summary>
    /// Only this origin, except that results are shown from the archive, whose links point at the S3 endpoint (found by
    /// presigning a link as the status answers do: a local signature, cheap enough per page load), and the chosen file
    /// is previewed from a blob: URL.
    /// </summary>
    public async Task<string> ContentSecurityPolicyAsync()
    {
        var link = new Uri(await store.PresignGetAsync(new S3ObjectRef(store.Options.ArchiveBucket, "dashboard"), TimeSpan.FromMinutes(1)));
        var archive = link.GetLeftPart(UriPartial.Authority);
        return $"default-src 'self'; img-src 'self' blob: {archive}; media-src 'self' blob: {archive}; object-src 'none'; base-uri 'none'; " +
               "form-action 'none'; frame-ancestors 'none'";
    }

    private static DashboardAsset Load(string name, string contentType)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream($"dashboard/{name}")
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        return new DashboardAsset(content, contentType, new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\""));
    }
}
