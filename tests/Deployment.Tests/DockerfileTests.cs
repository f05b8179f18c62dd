using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// The images cannot be built here (no Docker engine), so the one Dockerfile is checked, as docker-compose.yml builds
/// it for each service, for what makes each image build and run: the SDK stage restores with the repository's settings
/// and every project the program references, the runtime stage is Microsoft's ASP.NET Core image run as its non-root
/// user with no native package installed, and the entry point runs a file that publishing the project really produces,
/// with librdkafka for the image's platform only.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] RepositorySettings =
        ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig"];

    private static readonly Lazy<Task<ComposeFile>> Compose = new(() => ComposeFile.LoadAsync());

    /// <summary>The compose services built from this repository: the three services and the topology job (Ops).</summary>
    public static TheoryData<string> Images => new() { "topology", "ingest", "processor", "archiver" };

    public static TheoryData<string> WebServices => new() { "ingest", "processor", "archiver" };

    [Fact]
    public async Task Compose_builds_each_program_from_the_one_dockerfile_naming_its_project_and_kind()
    {
        var compose = await Compose.Value;
        var builds = compose.ServiceNames.Where(s => compose.Service(s).TryGetProperty("build", out _)).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["archiver", "ingest", "processor", "topology"], builds);
        Assert.All(builds, s => Assert.Equal("Dockerfile", compose.Service(s).GetProperty("build").GetProperty("dockerfile").GetString()));
        Assert.All(builds, s => Assert.Equal(Repository.Root, compose.Service(s).GetProperty("build").GetProperty("context").GetString()));
        Assert.Equal(["Archiver", "Ingest", "Ops", "Processor"], builds.Select(s => BuildArgs(compose, s)["PROJECT"]).Order(StringComparer.Ordinal));
        Assert.Equal("tool", BuildArgs(compose, "topology")["KIND"]);
        Assert.All(DeployedService.All, s => Assert.Equal(("service", s.Project), (BuildArgs(compose, s.ComposeName)["KIND"], BuildArgs(compose, s.ComposeName)["PROJECT"])));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task The_build_stage_restores_with_the_repository_settings_and_every_referenced_project(string service)
    {
        var (project, dockerfile) = await ReadAsync(service);
        var build = dockerfile.Stages[0];
        Assert.Equal("build", build.Name);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Image, StringComparison.Ordinal);

        var restore = build.IndexOf(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore", StringComparison.Ordinal));
        Assert.True(restore > 0, "no dotnet restore");
        Assert.Contains(CsprojPath(project), build.Instructions[restore].Arguments, StringComparison.Ordinal);
        var copiedBeforeRestore = build.Instructions.Take(restore).Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToHashSet();

        Assert.All(RepositorySettings, file => Assert.Contains(file, copiedBeforeRestore));
        foreach (var referenced in ProjectClosure(project))
        {
            Assert.True(copiedBeforeRestore.Contains(CsprojPath(referenced)), $"{CsprojPath(referenced)} is not copied before the restore");
        }

        var publish = build.IndexOf(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.True(publish > restore, "no dotnet publish after the restore");
        var copiedBeforePublish = build.Instructions.Take(publish).Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();
        // Contracts embeds the .avsc files of schemas/, and every project's sources are under src/.
        Assert.Contains("schemas/ schemas/", copiedBeforePublish);
        Assert.Contains("src/ src/", copiedBeforePublish);
        Assert.All(copiedBeforeRestore, source => Assert.True(File.Exists(Repository.File(source)), $"{source} does not exist"));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task The_runtime_stage_is_the_aspnet_image_run_as_its_non_root_user_with_no_native_kafka_package(string service)
    {
        var (_, dockerfile) = await ReadAsync(service);
        var runtime = dockerfile.Final;
        Assert.True(dockerfile.Stages.Count >= 2, "not multi-stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.Image, StringComparison.Ordinal);

        // The native client comes with the program (librdkafka.redist), never from the distribution.
        Assert.DoesNotContain(runtime.All("RUN"), r => LibRdKafka().IsMatch(r));

        // Microsoft's images have the user "app" (uid 1654); nothing runs as root after it is taken.
        var user = runtime.All("USER").Last();
        Assert.Equal("app", user);
        var lastUser = runtime.IndexOf(i => i.Keyword == "USER" && i.Arguments == user);
        Assert.DoesNotContain(runtime.Instructions.Skip(lastUser), i => i.Keyword is "RUN" or "USER" && i != runtime.Instructions[lastUser]);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task The_entrypoint_is_a_dll_that_publishing_the_project_puts_where_the_runtime_stage_copies_from(string service)
    {
        var (project, dockerfile) = await ReadAsync(service);
        var publish = Assert.Single(dockerfile.Stage("build").All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        Assert.Contains(CsprojPath(project), publish, StringComparison.Ordinal);
        // For the image's architecture only (BuildKit's TARGETARCH, which the SDK takes as -a).
        Assert.Matches(@"\s-a amd64\s", publish);
        var output = PublishOutput().Match(publish).Groups["dir"].Value;
        Assert.NotEmpty(output);

        var runtime = dockerfile.Final;
        var workdir = runtime.All("WORKDIR").Last();
        Assert.Contains($"--from=build {output} ./", runtime.All("COPY"));
        // The shell execs dotnet (PID 1, so SIGTERM reaches it) with the dll an ENV names and the container's arguments.
        var command = JsonSerializer.Deserialize<string[]>(runtime.All("ENTRYPOINT").Single())!;
        Assert.Equal(["/bin/sh", "-c"], command[..2]);
        var entrypoint = EntryPoint().Match(command[2]);
        Assert.True(entrypoint.Success, $"the ENTRYPOINT's shell does not exec dotnet \"$VARIABLE\" \"$@\": {command[2]}");
        var dll = runtime.All("ENV").Select(e => e.Split('=', 2)).Single(e => e[0] == entrypoint.Groups["variable"].Value)[1];
        Assert.Equal($"CinematicSwitch.{project}.dll", dll);

        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cinematic-publish", $"{project}-{Guid.NewGuid():N}");
        try
        {
            var result = await ProcessRunner.RunAsync("dotnet",
                ["publish", Repository.File(CsprojPath(project)), "-c", Repository.BuildConfiguration, "-a", "amd64", "--self-contained", "false",
                    "-p:UseAppHost=false", "-o", directory],
                new Dictionary<string, string>(), inherit: true);
            Assert.True(result.ExitCode == 0, result.Output + result.Error);

            // What the image runs from {workdir}: the dll, its runtime configuration, and the Kafka client with the native
            // builds of the image's platform alone.
            Assert.Equal("/app", workdir);
            Assert.True(File.Exists(System.IO.Path.Combine(directory, dll)), $"{dll} is not in the publish output");
            Assert.True(File.Exists(System.IO.Path.Combine(directory, System.IO.Path.ChangeExtension(dll, ".runtimeconfig.json"))));
            Assert.True(File.Exists(System.IO.Path.Combine(directory, "Confluent.Kafka.dll")));
            var natives = Directory.GetFiles(directory, "*librdkafka*", SearchOption.AllDirectories)
                .Select(f => System.IO.Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal).ToList();
            Assert.Contains("centos8-librdkafka.so", natives.Select(System.IO.Path.GetFileName));
            Assert.All(natives, f => Assert.True(f == System.IO.Path.GetFileName(f) || f.StartsWith("runtimes/linux-x64/", StringComparison.Ordinal), f));
            if (project == "Processor")
            {
                Assert.True(File.Exists(System.IO.Path.Combine(directory, "appsettings.json")), "the processor's appsettings.json is not published");
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WebServices))]
    public async Task The_health_check_asks_the_readiness_endpoint_with_curl_installed_in_the_image(string service)
    {
        var runtime = (await ReadAsync(service)).Dockerfile.Final;
        Assert.Single(runtime.All("RUN"), r => r.Contains("apt-get install", StringComparison.Ordinal) && Curl().IsMatch(r));
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", runtime.All("ENV"));
        Assert.Contains("8080", runtime.All("EXPOSE"));
        var check = Assert.Single(runtime.All("HEALTHCHECK"));
        Assert.Contains("curl -fsS -o /dev/null http://127.0.0.1:8080/readyz", check, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_ops_image_is_a_command_line_tool_without_a_port_a_health_check_or_curl()
    {
        var (project, dockerfile) = await ReadAsync("topology");
        var runtime = dockerfile.Final;

        Assert.Equal("Ops", project);
        Assert.Empty(runtime.All("HEALTHCHECK"));
        Assert.Empty(runtime.All("EXPOSE"));
        Assert.DoesNotContain(runtime.All("RUN"), r => Curl().IsMatch(r));
    }

    [Fact]
    public void The_build_context_leaves_out_secrets_and_build_outputs()
    {
        var ignored = File.ReadAllLines(Repository.File(".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains(".env", ignored);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        // What the Dockerfile copies must not be ignored.
        Assert.DoesNotContain(ignored, l => l is "src" or "src/" or "schemas" or "schemas/" || RepositorySettings.Contains(l));
    }

    private static string DockerfilePath => Repository.File("Dockerfile");

    private static Dictionary<string, string> BuildArgs(ComposeFile compose, string service) =>
        compose.Service(service).GetProperty("build").GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>The Dockerfile as docker-compose.yml builds it for <paramref name="service"/>, and the project it builds.</summary>
    private static async Task<(string Project, Dockerfile Dockerfile)> ReadAsync(string service)
    {
        var compose = await Compose.Value;
        var build = compose.Service(service).GetProperty("build");
        // BuildKit sets TARGETARCH to the platform the image is built for.
        var args = new Dictionary<string, string>(BuildArgs(compose, service)) { ["TARGETARCH"] = "amd64" };
        var dockerfile = Dockerfile.Read(System.IO.Path.Combine(build.GetProperty("context").GetString()!, build.GetProperty("dockerfile").GetString()!), args);
        return (args["PROJECT"], dockerfile);
    }

    private static string CsprojPath(string project) => $"src/{project}/CinematicSwitch.{project}.csproj";

    /// <summary>The project and every project it references, directly or not.</summary>
    private static SortedSet<string> ProjectClosure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(Repository.File(CsprojPath(current))).Descendants("ProjectReference"))
            {
                pending.Push(ReferencedProject().Match(reference.Attribute("Include")!.Value).Groups["name"].Value);
            }
        }

        return seen;
    }

    [GeneratedRegex(@"CinematicSwitch\.(?<name>[A-Za-z.]+)\.csproj$")]
    private static partial Regex ReferencedProject();

    [GeneratedRegex(@"\s-o\s+(?<dir>\S+)")]
    private static partial Regex PublishOutput();

    [GeneratedRegex(@"^exec dotnet ""\$\{?(?<variable>[A-Z_]+)\}?"" ""\$@""$")]
    private static partial Regex EntryPoint();

    [GeneratedRegex(@"\blibrdkafka1\b")]
    private static partial Regex LibRdKafka();

    [GeneratedRegex(@"\bcurl\b")]
    private static partial Regex Curl();
}
