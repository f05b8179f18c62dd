using System.Text.Json;
using System.Text.Json.Serialization;

namespace CinematicSwitch.ServiceDefaults.Endpoints;

/// <summary>
/// What the embedded stack exposes, written to .devstack/endpoints.json so other tools (the ops CLI,
/// kcat, tests, a browser) can attach to it.
/// </summary>
/// <param name="Services">The services' own HTTP endpoints (health, readiness, metrics), by name.</param>
/// <param name="ProviderSimulators">Base URLs of the provider simulators, by provider.</param>
public sealed record StackEndpoints(
    KafkaEndpoint Kafka,
    S3Endpoint S3,
    string SchemaRegistryUrl,
    string? IngestUrl,
    DemoTenant? DemoTenant,
    IReadOnlyDictionary<string, string>? Services = null,
    IReadOnlyDictionary<string, string>? ProviderSimulators = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        {
            await JsonSerializer.SerializeAsync(file, this, Json, cancellationToken);
        }

        // Readers never see a half-written file.
        File.Move(temporary, path, overwrite: true);
    }

    public static async Task<StackEndpoints> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<StackEndpoints>(file, Json, cancellationToken)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

public sealed record KafkaEndpoint(string BootstrapServers, string TopicPrefix, int Partitions);

public sealed record S3Endpoint(
    string Endpoint,
    string Region,
    string AccessKey,
    string SecretKey,
    bool ForcePathStyle,
    bool DisableChunkedUploads,
    string InputsBucket,
    string ArchiveBucket);

/// <summary>A tenant the embedded stack configures, with its API key in plain text (development only).</summary>
public sealed record DemoTenant(string TenantId, string ApiKey);
