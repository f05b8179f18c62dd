using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Skills.Client;

namespace CinematicSwitch.Skills.Samples;

/// <summary>
/// The three game campaign skills of the Runway provider spec as a skill writes them with the client: each asks for one
/// video and gets it back archived with its cost, or a <see cref="SkillVideoException"/> with the skill error code.
/// Nothing here names a provider: the deployment's routing (<c>Providers:Routing:VideoProviders</c>) chooses one. The
/// idempotency keys name the campaign and the skill, so running a skill again for the same campaign returns the video
/// already made instead of paying for another.
/// </summary>
public static class CampaignSkills
{
    public const string IntroLoop = "generate_intro_video_loop";
    public const string OutcomeWin = "generate_outcome_video_win";
    public const string OutcomeLose = "generate_outcome_video_lose";

    /// <summary>US1: a short seamless loop from text, portrait for phones.</summary>
    public static Task<SkillVideo> IntroLoopFromTextAsync(SkillClient client, string campaign, CancellationToken cancellationToken) =>
        client.RequestVideoAsync(new VideoRequest(IntroLoop,
            "A golden trophy turning slowly on a pedestal under stadium lights, confetti drifting in the air",
            $"{campaign}/{IntroLoop}/text",
            DurationSeconds: 4, AspectRatio: "9:16", Loop: true, CameraMotion: "slow orbit around the trophy"), cancellationToken);

    /// <summary>US1, US2: a seamless loop that animates the campaign's style image, landscape.</summary>
    public static Task<SkillVideo> IntroLoopFromImageAsync(SkillClient client, string campaign, MediaReference styleImage, CancellationToken cancellationToken) =>
        client.RequestVideoAsync(new VideoRequest(IntroLoop,
            "The campaign backdrop comes alive: light sweeps across it and colours shimmer gently",
            $"{campaign}/{IntroLoop}/image",
            DurationSeconds: 6, AspectRatio: "16:9", Loop: true, CameraMotion: "gentle push in", ReferenceImage: styleImage), cancellationToken);

    /// <summary>US4: the celebration a player sees after winning.</summary>
    public static Task<SkillVideo> OutcomeWinAsync(SkillClient client, string campaign, CancellationToken cancellationToken) =>
        client.RequestVideoAsync(new VideoRequest(OutcomeWin,
            "Fireworks burst over a cheering crowd as a champion raises the cup, gold streamers everywhere",
            $"{campaign}/{OutcomeWin}",
            DurationSeconds: 5, AspectRatio: "16:9", CameraMotion: "crane up over the crowd"), cancellationToken);

    /// <summary>US4: the consolation a player sees after losing.</summary>
    public static Task<SkillVideo> OutcomeLoseAsync(SkillClient client, string campaign, CancellationToken cancellationToken) =>
        client.RequestVideoAsync(new VideoRequest(OutcomeLose,
            "Soft rain on an empty stadium at dusk, a single spotlight on the ball, a hopeful sunrise breaking through",
            $"{campaign}/{OutcomeLose}",
            DurationSeconds: 4, AspectRatio: "9:16", CameraMotion: "slow dolly out"), cancellationToken);
}
