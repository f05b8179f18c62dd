namespace CinematicSwitch.DevStack.Components;

/// <summary>Finds the repository's own files (node tools, build outputs) from wherever a process runs.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string NodeModules => Path.Combine(Root, "node_modules");

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CinematicSwitch.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (no CinematicSwitch.sln above this program).");
    }
}
