using CinematicSwitch.Providers.Planning;
using CinematicSwitch.Providers.Tests.Support;

namespace CinematicSwitch.Providers.Tests;

/// <summary>The service spec's prompt template, its style presets and the providers' prompt limits.</summary>
public sealed class PromptBuilderTests
{
    [Fact]
    public void The_template_carries_the_description_verbatim_with_style_and_aspect_ratio_lines()
    {
        var request = Requests.Image("  a medieval knight in a castle setting, wearing armor  ", style: "Medieval", ratio: "16:9");

        var prompt = PromptBuilder.Build(request, 6000, "test").Prompt;

        Assert.Equal(
            "Transform this person into a medieval knight in a castle setting, wearing armor. Maintain their recognizable facial features while applying the transformation. " +
            "Scene details: a medieval knight in a castle setting, wearing armor\n\n" +
            "Style: medieval: medieval, castle-era setting, period costume and armor, torch-lit\n" +
            "Aspect ratio: 16:9",
            prompt);
    }

    [Fact]
    public void Original_ratio_and_no_style_leave_only_the_transformation_sentence()
    {
        var prompt = PromptBuilder.Build(Requests.Image("a 1920s flapper in a speakeasy!", ratio: "original"), 6000, "test").Prompt;

        Assert.Equal(
            "Transform this person into a 1920s flapper in a speakeasy! Maintain their recognizable facial features while applying the transformation. " +
            "Scene details: a 1920s flapper in a speakeasy!",
            prompt);
    }

    [Fact]
    public void Text_to_video_has_no_person_to_transform_and_keeps_camera_motion()
    {
        var request = Requests.TextToVideo("a castle gate opening at dawn") with { Video = new VideoSpec(5, true, null, "slow dolly in") };

        var prompt = PromptBuilder.Build(request, 1000, "test").Prompt;

        Assert.Equal("a castle gate opening at dawn\n\nAspect ratio: 16:9\nCamera motion: slow dolly in", prompt);
    }

    [Fact]
    public void A_prompt_over_the_limit_drops_the_repeated_scene_details_first()
    {
        var description = new string('d', 600);

        var prompt = PromptBuilder.Build(Requests.Image(description, ratio: "original"), 1000, "Runway").Prompt!;

        Assert.Equal(1, CountOf(prompt, description));
        Assert.True(prompt.Length <= 1000);
    }

    [Fact]
    public void A_description_that_cannot_fit_is_refused_not_cut()
    {
        var result = PromptBuilder.Build(Requests.Image(new string('d', 1200), ratio: "original"), 1000, "Runway");

        Assert.Null(result.Prompt);
        Assert.Contains("at most 1000 characters", result.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_style_presets_are_refused_with_the_supported_list()
    {
        var result = PromptBuilder.Build(Requests.Image(style: "steampunk"), 6000, "test");

        Assert.Null(result.Prompt);
        Assert.Contains("steampunk", result.Refusal, StringComparison.Ordinal);
        Assert.All(StylePresets.Names, name => Assert.Contains(name, result.Refusal, StringComparison.Ordinal));
    }

    [Fact]
    public void A_prompt_override_is_sent_as_given()
    {
        var request = Requests.Image() with { PromptOverride = "An exact prompt from a game skill." };

        Assert.Equal("An exact prompt from a game skill.", PromptBuilder.Build(request, 6000, "test").Prompt);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
