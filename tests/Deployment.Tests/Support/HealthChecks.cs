using CinematicSwitch.Testing;

namespace CinematicSwitch.Deployment.Tests.Support;

/// <summary>
/// A service's health checks as Docker runs them: docker-compose.yml's (exec form, CMD) and the image's HEALTHCHECK
/// (shell form, /bin/sh -c), aimed at a local port instead of the container's 8080. Their exit code is what Docker
/// reads: 0 healthy, anything else unhealthy.
/// </summary>
internal static class HealthChecks
{
    private const string ContainerPort = "127.0.0.1:8080/";

    /// <summary>Runs both checks of <paramref name="service"/> against 127.0.0.1:<paramref name="port"/>; returns their exit codes by source.</summary>
    public static async Task<Dictionary<string, int>> RunAsync(string service, int port)
    {
        var compose = await ComposeFile.LoadAsync();
        var test = compose.Service(service).GetProperty("healthcheck").GetProperty("test").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal("CMD", test[0]);

        var build = compose.Service(service).GetProperty("build");
        var args = build.GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var image = Dockerfile.Read(Path.Combine(build.GetProperty("context").GetString()!, build.GetProperty("dockerfile").GetString()!), args);
        var healthcheck = Assert.Single(image.Final.All("HEALTHCHECK"));
        var shell = healthcheck[(healthcheck.IndexOf(" CMD ", StringComparison.Ordinal) + " CMD ".Length)..];

        return new Dictionary<string, int>
        {
            ["docker-compose.yml"] = await RunAsync(test[1], [.. test.Skip(2).Select(a => Local(a, port))]),
            ["Dockerfile"] = await RunAsync("/bin/sh", ["-c", Local(shell, port)]),
        };
    }

    private static string Local(string argument, int port) => argument.Replace(ContainerPort, $"127.0.0.1:{port}/", StringComparison.Ordinal);

    private static async Task<int> RunAsync(string file, IReadOnlyList<string> arguments)
    {
        Assert.Contains(arguments, a => a.Contains("127.0.0.1:", StringComparison.Ordinal) && !a.Contains(ContainerPort, StringComparison.Ordinal));
        return (await ProcessRunner.RunAsync(file, arguments, new Dictionary<string, string>())).ExitCode;
    }
}
