using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Dashboard.Tests.Support;
using CinematicSwitch.DevStack.Components;
using CinematicSwitch.Providers.Simulators.Core;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.Testing;
using Xunit.Abstractions;

namespace CinematicSwitch.Dashboard.Tests;

/// <summary>
/// /dashboard/cinematic-switch in headless Chromium against the whole pipeline (Ingest, processor and archiver as
/// processes, embedded Kafka, registry, s3rver, provider simulators). The browser side is browser/dashboard.spec.mjs;
/// this side checks what the page downloaded against the archive itself.
/// </summary>
[Trait("Category", "Stack")]
public sealed class DashboardTests(ITestOutputHelper output)
{
    // The provider refuses the first request whose prompt has this (content policy), so "Try again" succeeds.
    private const string FailingDescription = "a lighthouse keeper in a storm at night, in a yellow raincoat";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_page_checks_uploads_follows_a_request_live_to_its_archived_result_and_retries_a_failure()
    {
        var started = Stopwatch.GetTimestamp();
        await using var stack = await DashboardStack.StartAsync();
        stack.Pipeline.Simulators.Replicate.Faults.Add(new FaultRule(FaultKind.ContentPolicy, Count: 1, PromptContains: "lighthouse keeper"));

        var run = await BrowserScript.RunAsync("dashboard.spec.mjs", new Dictionary<string, string>
        {
            ["DASHBOARD_URL"] = stack.IngestUrl.ToString(),
            ["DASHBOARD_API_KEY"] = stack.ApiKey,
            ["DASHBOARD_ARTIFACTS"] = Path.Combine(RepositoryLayout.Root, ".artifacts"),
            ["DASHBOARD_FAILING_DESCRIPTION"] = FailingDescription,
            ["DASHBOARD_FAILURE_MESSAGE"] = UserMessages.TransformationFailed,
        }, TimeSpan.FromMinutes(5));
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, $"The browser script failed (exit {run.ExitCode}):\n{run.Output}\nServices:\n{stack.Tail()}");

        var result = JsonSerializer.Deserialize<ScriptResult>(run.Line("DASHBOARD-RESULT ") ?? throw new InvalidOperationException("No result line."), Json)!;
        Assert.Equal(2, result.Completed.Count);
        var archived = await ArchivedAsync(stack, result.Completed.Count);
        foreach (var completed in result.Completed)
        {
            var outputs = Assert.Single(archived, a => a.RequestId == completed.RequestId).Outputs.OrderBy(o => o.Index).ToList();
            Assert.Equal(outputs.Count, completed.Downloads.Count);
            for (var i = 0; i < outputs.Count; i++)
            {
                // What the page's link gave is the archive's object, byte for byte.
                var stored = await ReadAsync(stack.Pipeline.Store, outputs[i].S3Uri);
                Assert.Equal((stored.LongLength, Convert.ToHexStringLower(SHA256.HashData(stored))), (completed.Downloads[i].Length, completed.Downloads[i].Sha256));
                Assert.Equal(outputs[i].Sha256, completed.Downloads[i].Sha256);
            }
        }

        var failed = await TopicReader.ReadAsync<string, TransformationFailed>(stack.Pipeline.Stack.Kafka.BootstrapServers,
            stack.Pipeline.Topic(Topics.Failed), 1, stack.Pipeline.Serdes.Deserializer<TransformationFailed>());
        Assert.Equal(result.Failed, Assert.Single(failed).Message.Value.RequestId);

        // The page's key and the descriptions it sent never reach a log line.
        Assert.DoesNotContain(stack.Pipeline.Logs, line => line.Contains(stack.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(stack.Pipeline.Logs, line => line.Contains(FailingDescription, StringComparison.Ordinal));
        output.WriteLine($"Dashboard test: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s including the stack's start");
    }

    private static async Task<List<TransformationArchived>> ArchivedAsync(DashboardStack stack, int expected)
    {
        var pipeline = stack.Pipeline;
        var records = await TopicReader.ReadAsync<string, TransformationArchived>(pipeline.Stack.Kafka.BootstrapServers,
            pipeline.Topic(Topics.Archived), expected, pipeline.Serdes.Deserializer<TransformationArchived>());
        return records.Select(r => r.Message.Value).ToList();
    }

    private static async Task<byte[]> ReadAsync(ObjectStore store, string uri)
    {
        using var response = await store.GetAsync(S3ObjectRef.Parse(uri), CancellationToken.None);
        using var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private sealed record ScriptResult(List<CompletedRequest> Completed, Guid? Failed);

    private sealed record CompletedRequest(Guid RequestId, List<Download> Downloads);

    private sealed record Download(long Length, string Sha256);
}
