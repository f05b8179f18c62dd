using CinematicSwitch.Ops.Tests.Support;

namespace CinematicSwitch.Ops.Tests;

/// <summary>Exit codes scripts can rely on: 2 for a bad command line or configuration, 1 when the cluster cannot be reached.</summary>
[Trait("Category", "Stack")]
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ops-cli-").FullName;

    [Theory]
    [InlineData("failed", "replay", "--rate", "0", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("failed", "list", "--code", "BROKEN", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("failed", "list", "--since", "yesterday", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("failed", "show", "not-a-uuid", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("failed", "replay", "--max-replays", "0", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("topics", "status", "--kafka-property", "no-equals-sign", "--bootstrap-servers", "127.0.0.1:1")]
    [InlineData("topics", "status", "--bootstrap-servers", "127.0.0.1:1", "--security-protocol", "CARRIER_PIGEON")]
    [InlineData("nonsense")]
    [InlineData]
    public async Task A_bad_command_line_exits_with_2_and_says_why(params string[] args)
    {
        var result = await OpsHarness.RunCliAsync(_directory, args);

        Assert.Equal(2, result.ExitCode);
        Assert.NotEmpty(result.Error.Trim());
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Without_a_cluster_or_an_endpoints_file_it_says_how_to_attach()
    {
        var result = await OpsHarness.RunCliAsync(_directory, "failed", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--bootstrap-servers", result.Error, StringComparison.Ordinal);
        Assert.Contains("scripts/run.sh", result.Error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(Path.Combine(_directory, "broken.json"), "{ not json");
        var broken = await OpsHarness.RunCliAsync(_directory, "failed", "list", "--endpoints", "broken.json");
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("broken.json", broken.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_cluster_exits_with_1()
    {
        var result = await OpsHarness.RunCliAsync(_directory, "topics", "status", "--bootstrap-servers", "127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Kafka:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var result = await OpsHarness.RunCliAsync(_directory, "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "failed", "dlq", "topics", "topology", "credits" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
