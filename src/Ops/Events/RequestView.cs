using System.Globalization;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.Events;

/// <summary>
/// What an operator needs to know about a request, without its user content: the scene description and prompt are
/// given by their lengths only, the media by its S3 address and size.
/// </summary>
internal sealed record RequestView(
    Guid RequestId,
    string Tenant,
    string CorrelationId,
    string Requester,
    DateTimeOffset RequestedAt,
    string Task,
    string? MediaUri,
    string? MediaType,
    long? MediaBytes,
    int DescriptionLength,
    string? StylePreset,
    int OutputCount,
    string AspectRatio,
    string? Provider,
    int ReplayCount,
    DateTimeOffset? ReplayedAt,
    string? ReplayedBy)
{
    public static RequestView Of(TransformationRequested request) => new(
        request.RequestId,
        request.TenantId,
        request.CorrelationId,
        request.Requester,
        request.OccurredAt,
        Display.Symbol(request.Task),
        request.Media?.Uri,
        request.Media?.ContentType,
        request.Media?.SizeBytes,
        request.SceneDescription.Length,
        request.StylePreset,
        request.OutputCount,
        request.AspectRatio,
        request.Provider is { } provider ? Display.Symbol(provider) : null,
        request.Replay?.ReplayCount ?? 0,
        request.Replay?.ReplayedAt,
        request.Replay?.ReplayedBy);

    public IEnumerable<(string Name, string Value)> Fields() =>
    [
        ("request id", RequestId.ToString()),
        ("tenant", Tenant),
        ("correlation id", CorrelationId),
        ("requester", Requester),
        ("requested at", Display.Time(RequestedAt)),
        ("task", Task),
        ("media", MediaUri is null ? "(none)" : $"{MediaUri} ({MediaType}, {MediaBytes} bytes)"),
        ("scene description", $"{DescriptionLength} characters"),
        ("style preset", StylePreset ?? ""),
        ("outputs", OutputCount.ToString(CultureInfo.InvariantCulture)),
        ("aspect ratio", AspectRatio),
        ("provider", Provider ?? "(routed)"),
        ("replay count", ReplayCount.ToString(CultureInfo.InvariantCulture)),
        ("replayed", ReplayedAt is null ? "" : $"{Display.Time(ReplayedAt)} by {ReplayedBy}"),
    ];
}
