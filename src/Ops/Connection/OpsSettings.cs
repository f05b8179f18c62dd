using System.ComponentModel.DataAnnotations;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.SchemaRegistry;
using CinematicSwitch.ServiceDefaults.Endpoints;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
using Microsoft.Extensions.Configuration;

namespace CinematicSwitch.Ops.Connection;

/// <summary>
/// Where the tool attaches and how. Configuration comes from, lowest first: the embedded stack's endpoints file
/// (when no bootstrap servers are configured otherwise, or when --endpoints names one), environment variables under
/// the services' own names (Kafka__BootstrapServers, SchemaRegistry__Url, S3__ServiceUrl, Processor__Stream__GroupId, ...), and
/// the command line.
/// </summary>
internal sealed record OpsSettings(
    KafkaOptions Kafka,
    SchemaRegistryOptions SchemaRegistry,
    TopologyOptions Topology,
    S3Options S3,
    string ProcessorGroup,
    string ArchiverGroup,
    bool Embedded,
    string Origin)
{
    public const string DefaultProcessorGroup = "cinematic-processor";
    public const string DefaultArchiverGroup = "cinematic-archiver";
    public const string EndpointsPath = ".devstack/endpoints.json";

    private static readonly string[] Sections = ["Kafka", "SchemaRegistry", "Topology", "S3", "Processor", "Archiver"];

    public static async Task<OpsSettings> LoadAsync(ConnectionInput input, OpsEnvironment environment, CancellationToken cancellationToken)
    {
        var variables = environment.Variables
            .Select(kv => (Key: kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value))
            .Where(kv => Sections.Any(s => kv.Key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.OrdinalIgnoreCase);
        var configured = Build(null, variables, input.Settings);

        Dictionary<string, string?>? fromEndpoints = null;
        var origin = "options and environment";
        var embedded = input.Embedded;
        if (input.EndpointsFile is not null || string.IsNullOrWhiteSpace(configured["Kafka:BootstrapServers"]))
        {
            var path = input.EndpointsFile ?? FindEndpoints(environment.EndpointsSearchRoots) ?? throw new OpsException(
                "No cluster to attach to: pass --bootstrap-servers (or set Kafka__BootstrapServers), or start the embedded stack " +
                $"(scripts/run.sh), which writes {EndpointsPath}.", ExitCodes.Usage);
            path = Path.GetFullPath(path, environment.WorkingDirectory);
            fromEndpoints = await ReadEndpointsAsync(path, cancellationToken);
            origin = $"embedded stack ({path})";
            embedded = true;
        }

        var configuration = Build(fromEndpoints, variables, input.Settings);
        var kafka = new KafkaOptions { ClientId = "cinematic-ops" };
        configuration.GetSection(KafkaOptions.SectionName).Bind(kafka);
        foreach (var (key, value) in input.KafkaProperties)
        {
            kafka.Properties[key] = value;
        }

        var registry = new SchemaRegistryOptions();
        configuration.GetSection(SchemaRegistryOptions.SectionName).Bind(registry);
        var topology = new TopologyOptions();
        configuration.GetSection(TopologyOptions.SectionName).Bind(topology);
        var s3 = new S3Options();
        configuration.GetSection(S3Options.SectionName).Bind(s3);
        ThrowIfInvalid(kafka, KafkaOptions.SectionName);
        ThrowIfInvalid(topology, TopologyOptions.SectionName);
        ThrowIfInvalid(s3, S3Options.SectionName);

        return new OpsSettings(
            kafka,
            registry,
            topology,
            s3,
            configuration["Processor:Stream:GroupId"] is { Length: > 0 } processor ? processor : DefaultProcessorGroup,
            configuration["Archiver:Stream:GroupId"] is { Length: > 0 } archiver ? archiver : DefaultArchiverGroup,
            embedded,
            origin);
    }

    /// <summary>The registry options, checked: only commands that read or write event values need them.</summary>
    public SchemaRegistryOptions ValidSchemaRegistry()
    {
        if (string.IsNullOrWhiteSpace(SchemaRegistry.Url))
        {
            throw new OpsException("No schema registry: pass --schema-registry (or set SchemaRegistry__Url).", ExitCodes.Usage);
        }

        ThrowIfInvalid(SchemaRegistry, SchemaRegistryOptions.SectionName);
        return SchemaRegistry;
    }

    /// <summary>.devstack/endpoints.json in the first of <paramref name="roots"/> that has one in it or above it.</summary>
    private static string? FindEndpoints(IReadOnlyList<string> roots)
    {
        foreach (var start in roots)
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, EndpointsPath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static async Task<Dictionary<string, string?>> ReadEndpointsAsync(string path, CancellationToken cancellationToken)
    {
        StackEndpoints endpoints;
        try
        {
            endpoints = await StackEndpoints.ReadAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new OpsException($"Cannot read the endpoints file {path}: {e.Message}", ExitCodes.Usage);
        }

        return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Kafka:BootstrapServers"] = endpoints.Kafka.BootstrapServers,
            ["Kafka:TopicPrefix"] = endpoints.Kafka.TopicPrefix,
            ["Topology:Partitions"] = endpoints.Kafka.Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SchemaRegistry:Url"] = endpoints.SchemaRegistryUrl,
            ["S3:ServiceUrl"] = endpoints.S3.Endpoint is { Length: > 0 } endpoint ? endpoint : null,
            ["S3:Region"] = endpoints.S3.Region,
            ["S3:AccessKey"] = endpoints.S3.AccessKey,
            ["S3:SecretKey"] = endpoints.S3.SecretKey,
            ["S3:ForcePathStyle"] = endpoints.S3.ForcePathStyle.ToString(),
            ["S3:DisableChunkedUploads"] = endpoints.S3.DisableChunkedUploads.ToString(),
            ["S3:InputsBucket"] = endpoints.S3.InputsBucket,
            ["S3:ArchiveBucket"] = endpoints.S3.ArchiveBucket,
        };
    }

    private static IConfigurationRoot Build(
        Dictionary<string, string?>? endpoints, Dictionary<string, string?> variables, IReadOnlyDictionary<string, string> commandLine) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(endpoints ?? [])
            .AddInMemoryCollection(variables)
            .AddInMemoryCollection(commandLine.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
            .Build();

    private static void ThrowIfInvalid(object options, string section)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            var problems = results.Select(r => $"{section}:{string.Join(",", r.MemberNames)}: {r.ErrorMessage}");
            throw new OpsException("Invalid configuration: " + string.Join("; ", problems), ExitCodes.Usage);
        }
    }
}
