using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>
/// Does every variable of a service's environment set a real option? The service is composed as its Program.cs composes
/// it, over that environment alone (plus its appsettings.json), and the real binder and validators run: a key inside a
/// validated section that binds to nothing is refused by the service's own validation (as it is at startup); any other
/// key must have been read while the service was composed and its options resolved (flat names such as
/// REPLICATE_API_TOKEN, Logging:Format, ShutdownTimeoutSeconds). Nothing is started and nothing is connected to.
/// </summary>
internal static class ConfigurationCheck
{
    /// <summary>Read by ASP.NET Core's hosting itself, from the process environment, not through the service's configuration.</summary>
    private static readonly string[] HostSettings = ["Urls", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT"];

    public static async Task<IReadOnlyList<string>> ProblemsAsync(DeployedService service, IReadOnlyDictionary<string, string> environment)
    {
        var variables = environment.Keys.Where(k => !HostSettings.Contains(k, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(k => k, ToKey, StringComparer.Ordinal);
        var source = new RecordingSource(environment.Where(kv => variables.ContainsKey(kv.Key))
            .ToDictionary(kv => ToKey(kv.Key), kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase));

        WebApplication app;
        try
        {
            app = Build(service, source);
        }
        catch (OptionsValidationException e)
        {
            // The host reads its own options (ShutdownTimeoutSeconds) while it is built.
            return [.. e.Failures];
        }

        await using var built = app;
        var problems = new List<string>();
        Collect(problems, () => app.Services.GetRequiredService<IStartupValidator>().Validate());

        var sections = app.Services.GetServices<OptionsSection>().Select(s => s.Path).ToList();
        foreach (var (variable, key) in variables)
        {
            var judgedByValidation = sections.Any(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase));
            if (!judgedByValidation && !source.Read.ContainsKey(key))
            {
                problems.Add($"{variable}: no option of {service.Project} reads it");
            }
        }

        return problems;
    }

    /// <summary>The option sections the service binds and validates, as it registers them.</summary>
    public static async Task<IReadOnlyList<OptionsSection>> SectionsAsync(DeployedService service, IReadOnlyDictionary<string, string> environment)
    {
        await using var app = Build(service, new RecordingSource(environment.ToDictionary(kv => ToKey(kv.Key), kv => (string?)kv.Value)));
        return [.. app.Services.GetServices<OptionsSection>()];
    }

    /// <summary>The options of type <typeparamref name="T"/> the service binds from <paramref name="environment"/>, validated as at startup.</summary>
    public static async Task<T> OptionsAsync<T>(DeployedService service, IReadOnlyDictionary<string, string> environment)
        where T : class
    {
        await using var app = Build(service, new RecordingSource(environment.ToDictionary(kv => ToKey(kv.Key), kv => (string?)kv.Value)));
        return app.Services.GetRequiredService<IOptions<T>>().Value;
    }

    /// <summary>The service composed as its Program.cs does it, over its appsettings.json and <paramref name="source"/> alone.</summary>
    private static WebApplication Build(DeployedService service, IConfigurationSource source)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = service.OutputDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddJsonFile(Path.Combine(service.OutputDirectory, "appsettings.json"), optional: true);
        ((IConfigurationBuilder)builder.Configuration).Add(source);
        service.Compose(builder);
        return builder.Build();
    }

    /// <summary>The topology job (cinematic-ops topology apply) reads the Kafka and Topology sections only.</summary>
    public static IReadOnlyList<string> TopologyJobProblems(IReadOnlyDictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(environment.Select(kv => KeyValuePair.Create(ToKey(kv.Key), (string?)kv.Value)))
            .Build();
        var problems = new List<string>();
        var sections = new (string Name, object Options)[] { (KafkaOptions.SectionName, new KafkaOptions()), (TopologyOptions.SectionName, new TopologyOptions()) };
        problems.AddRange(configuration.GetChildren().Where(c => !sections.Any(s => s.Name == c.Key)).Select(c => $"{c.Path}: the ops tool has no such section"));
        foreach (var (name, options) in sections)
        {
            var section = configuration.GetSection(name);
            problems.AddRange(ConfigurationKeys.Unknown(section, options.GetType()).Select(path => $"{path}: no such option"));
            section.Bind(options);
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            problems.AddRange(results.Select(r => $"{name}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}"));
        }

        return problems;
    }

    private static string ToKey(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    private static void Collect(List<string> problems, Action resolve)
    {
        try
        {
            resolve();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (AggregateException e)
        {
            problems.AddRange(e.Flatten().InnerExceptions.SelectMany(i => i is OptionsValidationException o ? o.Failures : [i.Message]));
        }
        catch (InvalidOperationException e)
        {
            // The binder's own failures ("Failed to convert configuration value at 'Kafka:SessionTimeoutMs' ...").
            problems.Add(e.Message);
        }
    }

    /// <summary>An in-memory source that remembers every key looked up in it.</summary>
    private sealed class RecordingSource(Dictionary<string, string?> data) : IConfigurationSource
    {
        public ConcurrentDictionary<string, bool> Read { get; } = new(StringComparer.OrdinalIgnoreCase);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this, data);

        private sealed class Provider : ConfigurationProvider
        {
            private readonly RecordingSource _source;

            public Provider(RecordingSource source, Dictionary<string, string?> data)
            {
                _source = source;
                Data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
            }

            public override bool TryGet(string key, out string? value)
            {
                _source.Read[key] = true;
                return base.TryGet(key, out value);
            }
        }
    }
}
