using CinematicSwitch.Archiver;
using CinematicSwitch.Ingest;
using CinematicSwitch.Processor;
using CinematicSwitch.ServiceDefaults;
using Microsoft.AspNetCore.Builder;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>A service of docker-compose.yml: its compose name, its project, and its composition as its Program.cs does it.</summary>
internal sealed record DeployedService(string ComposeName, string Project, Action<WebApplicationBuilder> Compose)
{
    public static readonly DeployedService Ingest = new("ingest", "Ingest", b => b.AddIngest());

    public static readonly DeployedService Processor = new("processor", "Processor", b =>
    {
        b.AddServiceDefaults("processor");
        b.AddProcessor();
    });

    public static readonly DeployedService Archiver = new("archiver", "Archiver", b => b.AddArchiver());

    public static IReadOnlyList<DeployedService> All { get; } = [Ingest, Processor, Archiver];

    public static DeployedService Named(string composeName) => All.Single(s => s.ComposeName == composeName);

    public string OutputDirectory => Path.GetDirectoryName(Repository.AssemblyPath(Project))!;

    public override string ToString() => ComposeName;
}
