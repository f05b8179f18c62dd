using CinematicSwitch.Providers.Adapters;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Providers.Configuration;

/// <summary>Applies the seed specs' flat environment names where the "Providers" section leaves a value unset.</summary>
internal sealed class ProvidersEnvironmentSetup(IConfiguration configuration) : IPostConfigureOptions<ProvidersOptions>
{
    public void PostConfigure(string? name, ProvidersOptions options)
    {
        Apply(options.Replicate, "Replicate", "REPLICATE", keyName: "REPLICATE_API_TOKEN");
        Apply(options.Runway, "Runway", "RUNWAY", keyName: "RUNWAY_API_KEY");
        Apply(options.Leonardo, "Leonardo", "LEONARDO", keyName: "LEONARDO_API_KEY");
        if (Flat("RUNWAY_API_VERSION", "Runway:ApiVersion") is { } version)
        {
            options.Runway.ApiVersion = version;
        }

        Default(options.Routing.ImageProviders, RoutingOptions.DefaultImageProviders);
        Default(options.Routing.VideoProviders, RoutingOptions.DefaultVideoProviders);
        Default(options.Runway.Models.ImageToVideo, RunwayModelTable.DefaultImageToVideo);
        Default(options.Runway.Models.TextToVideo, RunwayModelTable.DefaultTextToVideo);
        Default(options.Runway.Models.Keyframes, RunwayModelTable.DefaultKeyframes);
    }

    private static void Default<T>(List<T> list, IEnumerable<T> defaults)
    {
        if (list.Count == 0)
        {
            list.AddRange(defaults);
        }
    }

    private void Apply(ProviderOptions target, string section, string prefix, string keyName)
    {
        if (Flat(keyName, $"{section}:ApiKey") is { } key)
        {
            target.ApiKey = key;
        }

        if (Flat($"{prefix}_API_BASE_URL", $"{section}:BaseUrl") is { } baseUrl)
        {
            target.BaseUrl = baseUrl;
        }

        SetInt($"{prefix}_TIMEOUT_MS", $"{section}:TimeoutMs", v => target.TimeoutMs = v);
        SetInt($"{prefix}_POLL_INTERVAL_MS", $"{section}:PollIntervalMs", v => target.PollIntervalMs = v);
        SetInt($"{prefix}_MAX_CONCURRENT", $"{section}:MaxConcurrent", v => target.MaxConcurrent = v);
    }

    private void SetInt(string flatName, string sectionKey, Action<int> set)
    {
        if (Flat(flatName, sectionKey) is { } text && int.TryParse(text, out var value))
        {
            set(value);
        }
    }

    /// <summary>The flat value, only when the section does not set the same thing itself.</summary>
    private string? Flat(string flatName, string sectionKey)
    {
        if (!string.IsNullOrEmpty(configuration[$"{ProvidersOptions.SectionName}:{sectionKey}"]))
        {
            return null;
        }

        var value = configuration[flatName];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}

/// <summary>Startup validation: a misconfigured provider stops the host instead of failing requests later.</summary>
internal sealed class ProvidersOptionsValidator : IValidateOptions<ProvidersOptions>
{
    private static readonly string[] ImageFormats = ["png", "jpg", "webp"];
    private static readonly string[] LeonardoResolutions = ["RESOLUTION_480", "RESOLUTION_720"];

    public ValidateOptionsResult Validate(string? name, ProvidersOptions options)
    {
        var errors = new List<string>();
        Check(errors, "Replicate", options.Replicate);
        Check(errors, "Runway", options.Runway);
        Check(errors, "Leonardo", options.Leonardo);

        var replicate = options.Replicate;
        if (replicate.PreferWaitSeconds is < 0 or > 60)
        {
            errors.Add("Providers:Replicate:PreferWaitSeconds must be between 0 and 60.");
        }
        else if (replicate.RequestTimeoutMs < (replicate.PreferWaitSeconds + 5) * 1000)
        {
            errors.Add("Providers:Replicate:RequestTimeoutMs must exceed PreferWaitSeconds by at least 5 seconds.");
        }

        if (!ImageFormats.Contains(replicate.OutputFormat))
        {
            errors.Add("Providers:Replicate:OutputFormat must be png, jpg or webp.");
        }

        if (replicate.MaxOutputsPerPrediction is < 1 or > 4)
        {
            errors.Add("Providers:Replicate:MaxOutputsPerPrediction must be between 1 and 4 (flux-dev's num_outputs).");
        }

        if (replicate.PromptStrength is < 0 or > 1)
        {
            errors.Add("Providers:Replicate:PromptStrength must be between 0 and 1.");
        }

        if (!ReplicateOptions.KnownModels.Contains(replicate.Model))
        {
            errors.Add($"Providers:Replicate:Model: '{replicate.Model}' is not a model whose input schema the Replicate adapter speaks; known: " +
                       $"{string.Join(", ", ReplicateOptions.KnownModels)}.");
        }

        if (replicate.MaxDataUriBytes < 0)
        {
            errors.Add("Providers:Replicate:MaxDataUriBytes must not be negative.");
        }

        if (string.IsNullOrWhiteSpace(options.Runway.ApiVersion))
        {
            errors.Add("Providers:Runway:ApiVersion is required (the X-Runway-Version header).");
        }

        CheckRunwayModels(errors, options.Runway.Models);

        if (options.Runway.MaxChainSegments < 1)
        {
            errors.Add("Providers:Runway:MaxChainSegments must be at least 1.");
        }

        if (!LeonardoOptions.KnownVideoModels.Contains(options.Leonardo.VideoModel))
        {
            errors.Add($"Providers:Leonardo:VideoModel: '{options.Leonardo.VideoModel}' is not a model the Leonardo adapter knows; known: " +
                       $"{string.Join(", ", LeonardoOptions.KnownVideoModels)}.");
        }

        if (!LeonardoResolutions.Contains(options.Leonardo.Resolution))
        {
            errors.Add("Providers:Leonardo:Resolution must be RESOLUTION_480 or RESOLUTION_720.");
        }

        CheckWebhooks(errors, options);

        if (options.Routing.ImageProviders.Count == 0 || options.Routing.VideoProviders.Count == 0)
        {
            errors.Add("Providers:Routing needs at least one image provider and one video provider.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every configured model must be current and able to do its task: a retired one stops the host, naming its replacement.</summary>
    private static void CheckRunwayModels(List<string> errors, RunwayModelTable models)
    {
        void Each(string task, IEnumerable<string> configured, Func<string, bool> fits, IEnumerable<string> known)
        {
            foreach (var model in configured.Where(m => !fits(m)))
            {
                errors.Add($"Providers:Runway:Models:{task}: {RunwayModels.Describe(model, known)}.");
            }
        }

        var video = RunwayModels.Video;
        Each(nameof(models.ImageToVideo), models.ImageToVideo, video.ContainsKey, video.Keys);
        Each(nameof(models.TextToVideo), models.TextToVideo, m => video.TryGetValue(m, out var v) && v.TextRatios.Count > 0,
            video.Values.Where(v => v.TextRatios.Count > 0).Select(v => v.Name));
        Each(nameof(models.Keyframes), models.Keyframes, m => video.TryGetValue(m, out var v) && v.LastFrame,
            video.Values.Where(v => v.LastFrame).Select(v => v.Name));
        Each(nameof(models.FirstFrame), [models.FirstFrame], RunwayModels.FirstFrame.ContainsKey, RunwayModels.FirstFrame.Keys);
        Each(nameof(models.VideoToVideo), [models.VideoToVideo], RunwayModels.VideoToVideo.ContainsKey, RunwayModels.VideoToVideo.Keys);
        if (models.ImageToVideo.Count == 0 && models.Keyframes.Count == 0)
        {
            errors.Add("Providers:Runway:Models needs at least one ImageToVideo or Keyframes model.");
        }
    }

    /// <summary>Replicate's webhooks need a URL and, if given, a well-formed secret; Leonardo's its callback key; Runway has none.</summary>
    private static void CheckWebhooks(List<string> errors, ProvidersOptions options)
    {
        foreach (var (name, o) in new (string, ProviderOptions)[] { ("Replicate", options.Replicate), ("Runway", options.Runway), ("Leonardo", options.Leonardo) })
        {
            var hook = o.Webhook;
            if (hook.Enabled && (hook.SafetyNetPollIntervalMs < o.PollIntervalMs || hook.SafetyNetPollIntervalMs > o.TimeoutMs))
            {
                errors.Add($"Providers:{name}:Webhook:SafetyNetPollIntervalMs must be between PollIntervalMs and TimeoutMs.");
            }
        }

        if (options.Runway.Webhook.Enabled)
        {
            errors.Add("Providers:Runway:Webhook:Enabled: Runway's API has no webhooks; its jobs are polled.");
        }

        var replicate = options.Replicate.Webhook;
        if (replicate.Enabled && (!Uri.TryCreate(replicate.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add("Providers:Replicate:Webhook:Url must be the absolute URL of Ingest's /webhooks/replicate while webhooks are enabled (Replicate calls only HTTPS URLs).");
        }

        if (replicate.Secret.Length > 0 && !Webhooks.SigningSecret.TryParse(replicate.Secret, out _))
        {
            errors.Add("Providers:Replicate:Webhook:Secret must be Replicate's signing secret: \"whsec_\" and base64.");
        }

        if (options.Leonardo.Webhook.Enabled && options.Leonardo.Webhook.Secret.Length < 16)
        {
            errors.Add("Providers:Leonardo:Webhook:Secret (the webhook callback API key, at least 16 characters) is required while Leonardo's webhooks are enabled.");
        }
    }

    private static void Check(List<string> errors, string name, ProviderOptions o)
    {
        var prefix = $"Providers:{name}";
        if (o.Enabled && string.IsNullOrWhiteSpace(o.ApiKey))
        {
            errors.Add($"{prefix}:ApiKey is required while the provider is enabled.");
        }

        if (!Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{prefix}:BaseUrl must be an absolute http(s) URL.");
        }

        if (o.TimeoutMs <= 0 || o.PollIntervalMs <= 0 || o.RequestTimeoutMs <= 0)
        {
            errors.Add($"{prefix}: TimeoutMs, PollIntervalMs and RequestTimeoutMs must be positive.");
        }
        else if (o.PollIntervalMs > o.TimeoutMs)
        {
            errors.Add($"{prefix}:PollIntervalMs must not exceed TimeoutMs.");
        }

        if (o.MaxConcurrent < 1 || o.MaxRetries < 0 || o.MaxRateLimitWaits < 0 || o.ResumeLookupGraceMs < 0 || o.MaxQueuedMs < 0)
        {
            errors.Add($"{prefix}: MaxConcurrent must be at least 1; MaxRetries, MaxRateLimitWaits, ResumeLookupGraceMs and MaxQueuedMs must not be negative.");
        }

        if (o.RateLimitBackoffMs < 1 || o.RateLimits.CreatesPerMinute < 1 || o.RateLimits.OtherPerMinute < 1)
        {
            errors.Add($"{prefix}: RateLimitBackoffMs, RateLimits:CreatesPerMinute and RateLimits:OtherPerMinute must be at least 1.");
        }

        if (o.MaxPromptLength < 100)
        {
            errors.Add($"{prefix}:MaxPromptLength must be at least 100.");
        }

        var cb = o.CircuitBreaker;
        if (cb.FailureRatio is <= 0 or > 1 || cb.MinimumThroughput < 2 || cb.SamplingDurationMs < 500 || cb.BreakDurationMs < 500)
        {
            errors.Add($"{prefix}:CircuitBreaker needs 0 < FailureRatio <= 1, MinimumThroughput >= 2, SamplingDurationMs and BreakDurationMs >= 500.");
        }

        if (o.CreditRates.Values.Any(v => v < 0))
        {
            errors.Add($"{prefix}:CreditRates must not be negative.");
        }
    }
}
