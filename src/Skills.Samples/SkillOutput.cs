using System.Text.Json;
using System.Text.Json.Nodes;
using CinematicSwitch.Skills.Client;

namespace CinematicSwitch.Skills.Samples;

/// <summary>What a sample prints: the provider spec's response (<c>video_url, duration_ms, credits_used</c>) or its skill error.</summary>
public static class SkillOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Success(string skill, SkillVideo video) => new JsonObject
    {
        ["skill"] = skill,
        ["request_id"] = video.RequestId.ToString(),
        ["video_url"] = video.VideoUrl,
        ["duration_ms"] = video.DurationMs,
        ["credits_used"] = video.CreditsUsed,
        ["credit_unit"] = video.CreditUnit,
        ["provider"] = video.Provider,
        ["model"] = video.Model,
        ["download_url"] = video.DownloadUrl,
        ["warnings"] = new JsonArray([.. video.Warnings.Select(w => JsonValue.Create(w))]),
    }.ToJsonString(Indented);

    public static string Failure(string skill, SkillVideoException failure) => new JsonObject
    {
        ["skill"] = skill,
        ["request_id"] = failure.RequestId.ToString(),
        ["error"] = failure.Code,
        ["reason"] = failure.Reason,
        ["provider"] = failure.Provider,
    }.ToJsonString(Indented);
}
