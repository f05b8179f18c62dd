using CinematicSwitch.DevStack.Components;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>Paths of the repository and of the services' build outputs.</summary>
internal static class Repository
{
    public static string Root => RepositoryLayout.Root;

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The build configuration of this test assembly (Debug or Release): services are started from the same.</summary>
    public static string BuildConfiguration =>
        new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;

    /// <summary>src/{project}/bin/{configuration}/net10.0/CinematicSwitch.{project}.dll</summary>
    public static string AssemblyPath(string project) => ServiceProcess.AssemblyPath(project, BuildConfiguration);
}
