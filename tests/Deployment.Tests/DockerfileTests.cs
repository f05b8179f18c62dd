using System.Text.RegularExpressions;
using System.Xml.Linq;
using CinematicSwitch.Deployment.Tests.Support;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>
/// The images cannot be built here (no Docker engine), so their Dockerfiles are checked for what makes them build and
/// run: the SDK stage restores with the repository's settings and every referenced project, the runtime stage is
/// Debian bookworm with the distribution's librdkafka and a non-root user, and the entry point is a file that
/// publishing the project really produces.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] RepositorySettings =
        ["global.json", "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", ".editorconfig"];

    public static TheoryData<string> Projects => new() { "Ingest", "Processor", "Archiver", "Ops" };

    public static TheoryData<string> WebServices => new() { "Ingest", "Processor", "Archiver" };

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_build_stage_restores_with_the_repository_settings_and_every_referenced_project(string project)
    {
        var build = Read(project).Stages[0];
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
    [MemberData(nameof(Projects))]
    public void The_runtime_stage_is_debian_bookworm_with_the_distribution_librdkafka_and_a_non_root_user(string project)
    {
        var dockerfile = Read(project);
        var runtime = dockerfile.Final;
        Assert.True(dockerfile.Stages.Count >= 2, "not multi-stage");
        Assert.Equal("debian:bookworm-slim", runtime.Image);

        var install = Assert.Single(runtime.All("RUN"), r => r.Contains("apt-get install", StringComparison.Ordinal));
        Assert.Matches(@"\blibrdkafka1\b", install);
        Assert.DoesNotContain("librdkafka.redist", File.ReadAllText(Path(project)), StringComparison.Ordinal);

        // The .NET runtime with the ASP.NET Core shared framework (every project references it) comes from Microsoft's image.
        var dotnetCopy = Assert.Single(runtime.All("COPY"), c => c.EndsWith("/usr/share/dotnet /usr/share/dotnet", StringComparison.Ordinal));
        var from = FromStage().Match(dotnetCopy).Groups["stage"].Value;
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile.Stage(from).Image, StringComparison.Ordinal);

        var user = runtime.All("USER").Last();
        Assert.DoesNotMatch("^(root|0)(:.*)?$", user);
        Assert.Contains(runtime.All("RUN"), r => r.Contains($"useradd", StringComparison.Ordinal) && r.Contains($" {user}", StringComparison.Ordinal));
        var lastUser = runtime.IndexOf(i => i.Keyword == "USER" && i.Arguments == user);
        Assert.DoesNotContain(runtime.Instructions.Skip(lastUser), i => i.Keyword is "RUN" or "USER" && i != runtime.Instructions[lastUser]);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task The_entrypoint_is_a_dll_that_publishing_the_project_puts_where_the_runtime_stage_copies_from(string project)
    {
        var dockerfile = Read(project);
        var publish = Assert.Single(dockerfile.Stage("build").All("RUN"), r => r.StartsWith("dotnet publish", StringComparison.Ordinal));
        var output = PublishOutput().Match(publish).Groups["dir"].Value;
        Assert.NotEmpty(output);

        var runtime = dockerfile.Final;
        var workdir = runtime.All("WORKDIR").Last();
        Assert.Contains($"--from=build {output} ./", runtime.All("COPY"));
        var entrypoint = EntryPoint().Match(runtime.All("ENTRYPOINT").Single());
        Assert.True(entrypoint.Success, "ENTRYPOINT is not [\"dotnet\", \"<file>.dll\"] in exec form");
        var dll = entrypoint.Groups["dll"].Value;

        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "cinematic-publish", $"{project}-{Guid.NewGuid():N}");
        try
        {
            var result = await ProcessRunner.RunAsync("dotnet",
                ["publish", Repository.File(CsprojPath(project)), "--no-build", "-c", Repository.BuildConfiguration, "-p:UseAppHost=false", "-o", directory],
                new Dictionary<string, string>(), inherit: true);
            Assert.True(result.ExitCode == 0, result.Output + result.Error);

            // What the image runs from {workdir}: the dll, its runtime configuration, and the Kafka client (its native part comes from Debian).
            Assert.Equal("/app", workdir);
            Assert.True(File.Exists(System.IO.Path.Combine(directory, dll)), $"{dll} is not in the publish output");
            Assert.True(File.Exists(System.IO.Path.Combine(directory, System.IO.Path.ChangeExtension(dll, ".runtimeconfig.json"))));
            Assert.True(File.Exists(System.IO.Path.Combine(directory, "Confluent.Kafka.dll")));
            Assert.Empty(Directory.GetFiles(directory, "librdkafka*", SearchOption.AllDirectories));
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
    public void The_health_check_asks_the_readiness_endpoint_with_curl_installed_in_the_image(string project)
    {
        var runtime = Read(project).Final;
        var install = runtime.All("RUN").Single(r => r.Contains("apt-get install", StringComparison.Ordinal));
        Assert.Matches(@"\bcurl\b", install);
        Assert.Contains("ASPNETCORE_HTTP_PORTS=8080", runtime.All("ENV"));
        Assert.Contains("8080", runtime.All("EXPOSE"));
        var check = Assert.Single(runtime.All("HEALTHCHECK"));
        Assert.Contains("curl -fsS -o /dev/null http://127.0.0.1:8080/readyz", check, StringComparison.Ordinal);
    }

    [Fact]
    public void The_build_context_leaves_out_secrets_and_build_outputs()
    {
        var ignored = File.ReadAllLines(Repository.File(".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains(".env", ignored);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        // What the Dockerfiles copy must not be ignored.
        Assert.DoesNotContain(ignored, l => l is "src" or "src/" or "schemas" or "schemas/" || RepositorySettings.Contains(l));
    }

    private static string Path(string project) => Repository.File("src", project, "Dockerfile");

    private static Dockerfile Read(string project) => Dockerfile.Read(Path(project));

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

    [GeneratedRegex(@"--from=(?<stage>\S+)")]
    private static partial Regex FromStage();

    [GeneratedRegex(@"\s-o\s+(?<dir>\S+)")]
    private static partial Regex PublishOutput();

    [GeneratedRegex(@"^\[\s*""dotnet""\s*,\s*""(?<dll>[^""]+\.dll)""\s*\]$")]
    private static partial Regex EntryPoint();
}
