using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CinematicSwitch.Deployment.Tests.Support;
using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// The images cannot be built here (no Docker engine), so the one Dockerfile is checked, as docker-compose.yml builds
/// it for each program, against the repository: its restore gets every project the program references (as the
/// project files say, not as the Dockerfile lists them), and its entry point runs a file that publishing the project
/// really produces, with librdkafka for the image's platform only. Its health check is run against the services
/// (ServiceStartupTests). The runtime stage (base image, user, packages) needs a Docker engine and is not tested here.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] RepositorySettings =
        ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig"];

    /// <summary>The compose services built from this repository: the three services and the topology job (Ops).</summary>
    public static TheoryData<string> Images => new() { "topology", "ingest", "processor", "archiver" };

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

    /// <summary>Publishes each program for the image's platform (minutes of compiling): not in the fast lane.</summary>
    [Theory]
    [MemberData(nameof(Images))]
    [Trait("Category", "Publish")]
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

    private static Dictionary<string, string> BuildArgs(ComposeFile compose, string service) =>
        compose.Service(service).GetProperty("build").GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    /// <summary>The Dockerfile as docker-compose.yml builds it for <paramref name="service"/>, and the project it builds.</summary>
    private static async Task<(string Project, Dockerfile Dockerfile)> ReadAsync(string service)
    {
        var compose = await ComposeFile.LoadAsync();
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
}
