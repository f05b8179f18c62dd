using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>
/// A compose file as Debian's docker-compose resolves it (<c>docker-compose config</c>: interpolation, anchors,
/// merges), read through PyYAML (docker-compose's own dependency) as JSON.
/// </summary>
internal sealed class ComposeFile
{
    /// <summary>The tenant API key behind <see cref="Secrets"/>' INGEST_TENANT_API_KEY_SHA256.</summary>
    public const string TenantApiKey = "cs_deployment_test_key";

    private const string YamlToJson = "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)";

    private ComposeFile(JsonElement document) => Document = document;

    /// <summary>The values the file requires from the environment (a user's .env), as a test gives them.</summary>
    public static IReadOnlyDictionary<string, string> Secrets { get; } = new Dictionary<string, string>
    {
        ["S3_SECRET_KEY"] = "compose-test-s3-secret",
        ["REPLICATE_API_TOKEN"] = "r8_compose_test_token",
        ["INGEST_TENANT_API_KEY_SHA256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(TenantApiKey))),
    };

    public static string DefaultPath => Repository.File("docker-compose.yml");

    public JsonElement Document { get; }

    public IEnumerable<string> ServiceNames => Document.GetProperty("services").EnumerateObject().Select(p => p.Name);

    /// <summary><c>docker-compose --env-file .env.example -f {path} config</c> with only <paramref name="variables"/> set.</summary>
    public static Task<ProcessResult> ConfigAsync(string path, IReadOnlyDictionary<string, string> variables) =>
        ProcessRunner.RunAsync("docker-compose", ["--env-file", Repository.File(".env.example"), "-f", path, "config"], variables,
            workingDirectory: Path.GetDirectoryName(path));

    /// <summary>The repository's file with the test secrets, resolved once per test run (it does not change during one).</summary>
    private static readonly Lazy<Task<ComposeFile>> RepositoryFile = new(() => ResolveAsync(DefaultPath, Secrets));

    /// <summary>The file at <paramref name="path"/> (default: the repository's) as docker-compose resolves it with <paramref name="variables"/> (default: <see cref="Secrets"/>).</summary>
    public static Task<ComposeFile> LoadAsync(string? path = null, IReadOnlyDictionary<string, string>? variables = null) =>
        path is null && variables is null ? RepositoryFile.Value : ResolveAsync(path ?? DefaultPath, variables ?? Secrets);

    private static async Task<ComposeFile> ResolveAsync(string path, IReadOnlyDictionary<string, string> variables)
    {
        var config = await ConfigAsync(path, variables);
        Assert.True(config.ExitCode == 0, $"docker-compose config failed: {config.Error}");
        var json = await ProcessRunner.RunAsync("python3", ["-c", YamlToJson], new Dictionary<string, string>(), config.Output);
        Assert.True(json.ExitCode == 0, json.Error);
        using var document = JsonDocument.Parse(json.Output);
        return new ComposeFile(document.RootElement.Clone());
    }

    public JsonElement Service(string name) => Document.GetProperty("services").GetProperty(name);

    /// <summary>A service's environment as its process gets it (numbers as written, null as empty).</summary>
    public Dictionary<string, string> Environment(string service) =>
        Service(service).TryGetProperty("environment", out var environment)
            ? environment.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => p.Value.GetRawText(),
            }, StringComparer.Ordinal)
            : [];
}
