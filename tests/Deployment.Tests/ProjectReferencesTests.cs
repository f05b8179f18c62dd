using System.Text.RegularExpressions;
using System.Xml.Linq;
using CinematicSwitch.Deployment.Tests.Support;

namespace CinematicSwitch.Deployment.Tests;

/// <summary>The README's diagram of the projects is their real references, so it cannot fall behind the code.</summary>
public sealed partial class ProjectReferencesTests
{
    [Fact]
    public async Task The_readmes_diagram_draws_exactly_the_references_of_every_project_under_src()
    {
        var readme = await File.ReadAllTextAsync(Repository.File("README.md"));
        var diagram = Diagram().Match(readme);
        Assert.True(diagram.Success, "README.md has no mermaid diagram under \"### Project references\"");
        var drawn = Edge().Matches(diagram.Groups[1].Value).Select(m => $"{m.Groups[1].Value} --> {m.Groups[2].Value}").Order();

        var real = Directory.GetDirectories(Repository.File("src"))
            .SelectMany(directory => Directory.GetFiles(directory, "*.csproj"))
            .SelectMany(project => XDocument.Load(project).Descendants("ProjectReference")
                .Select(reference => $"{Node(project)} --> {Node(reference.Attribute("Include")!.Value)}"))
            .Order();

        Assert.Equal(real, drawn);
    }

    /// <summary>A project's node in the diagram: its name without the common prefix, dots drawn as underscores.</summary>
    private static string Node(string csproj) =>
        Path.GetFileNameWithoutExtension(csproj.Replace('\\', '/')).Replace("CinematicSwitch.", "", StringComparison.Ordinal).Replace('.', '_');

    [GeneratedRegex(@"### Project references\n.*?```mermaid\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Diagram();

    [GeneratedRegex(@"^\s*(\w+) --> (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Edge();
}
