using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Tests;

/// <summary>Binding of the "Providers" section and the seed specs' flat environment names, and startup validation.</summary>
public sealed class ConfigurationTests
{
    private static ProvidersOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLogging().AddProviders(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<ProvidersOptions>>().Value;
    }

    [Fact]
    public void The_seed_specs_environment_names_configure_the_providers()
    {
        var options = Bind(new()
        {
            ["REPLICATE_API_TOKEN"] = "r8_env",
            ["RUNWAY_API_KEY"] = "key_env",
            ["RUNWAY_API_BASE_URL"] = "https://api.runwayml.com",
            ["RUNWAY_POLL_INTERVAL_MS"] = "10000",
            ["RUNWAY_TIMEOUT_MS"] = "300000",
            ["RUNWAY_MAX_CONCURRENT"] = "1",
            ["LEONARDO_API_KEY"] = "leo_env",
        });

        Assert.Equal("r8_env", options.Replicate.ApiKey);
        Assert.Equal("key_env", options.Runway.ApiKey);
        Assert.Equal("https://api.runwayml.com", options.Runway.BaseUrl);
        Assert.Equal(10_000, options.Runway.PollIntervalMs);
        Assert.Equal(300_000, options.Runway.TimeoutMs);
        Assert.Equal(1, options.Runway.MaxConcurrent);
        Assert.Equal("leo_env", options.Leonardo.ApiKey);
        Assert.Equal([Provider.Runway, Provider.Leonardo], options.Routing.VideoProviders);
        Assert.Equal(["gen4.5", "gen4_turbo"], options.Runway.Models.ImageToVideo);
        Assert.Equal(["gen4.5"], options.Runway.Models.TextToVideo);
        Assert.Equal(["veo3.1_fast"], options.Runway.Models.Keyframes);
        Assert.Equal("aleph2", options.Runway.Models.VideoToVideo);
    }

    [Fact]
    public void The_section_wins_over_the_environment_name_and_lists_replace_defaults()
    {
        var options = Bind(new()
        {
            ["RUNWAY_API_KEY"] = "key_env",
            ["Providers:Runway:ApiKey"] = "key_section",
            ["Providers:Replicate:ApiKey"] = "r8",
            ["Providers:Leonardo:ApiKey"] = "leo",
            ["Providers:Routing:VideoProviders:0"] = "Leonardo",
        });

        Assert.Equal("key_section", options.Runway.ApiKey);
        Assert.Equal([Provider.Leonardo], options.Routing.VideoProviders);
    }

    [Fact]
    public void A_missing_key_or_a_bad_url_stops_the_host_at_startup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Replicate:ApiKey"] = "r8",
            ["Providers:Runway:BaseUrl"] = "not a url",
            ["Providers:Runway:ApiKey"] = "key",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddProviders(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProvidersOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Providers:Leonardo:ApiKey", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Providers:Runway:BaseUrl", StringComparison.Ordinal));
    }

    /// <summary>A model Runway retired (or one the adapter does not know for the task) stops the host at startup, naming its replacement.</summary>
    [Theory]
    [InlineData("ImageToVideo:0", "gen3a_turbo", "retired by Runway")]
    [InlineData("VideoToVideo", "gen4_aleph", "use aleph2")]
    [InlineData("Keyframes:0", "gen4.5", "not a model the Runway adapter knows for this task")]
    [InlineData("TextToVideo:0", "gen4_turbo", "not a model the Runway adapter knows for this task")]
    [InlineData("FirstFrame", "gen3_image", "not a model the Runway adapter knows")]
    public void A_retired_or_unknown_model_stops_the_host_at_startup(string key, string model, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Replicate:ApiKey"] = "r8",
            ["Providers:Runway:ApiKey"] = "key",
            ["Providers:Leonardo:ApiKey"] = "leo",
            [$"Providers:Runway:Models:{key}"] = model,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddProviders(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProvidersOptions>>().Value);

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"Providers:Runway:Models:{key.Split(':')[0]}: '{model}'", failure, StringComparison.Ordinal);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Providers:Replicate:Model", "black-forest-labs/flux-schnell")]
    [InlineData("Providers:Leonardo:VideoModel", "MOTION1")]
    public void Unknown_replicate_and_leonardo_models_stop_the_host_at_startup(string key, string model)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Providers:Replicate:ApiKey"] = "r8",
            ["Providers:Runway:ApiKey"] = "key",
            ["Providers:Leonardo:ApiKey"] = "leo",
            [key] = model,
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddProviders(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ProvidersOptions>>().Value);

        Assert.Contains(error.Failures, f => f.StartsWith($"{key}: '{model}'", StringComparison.Ordinal));
    }
}
