using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;
using CinematicSwitch.ServiceDefaults.Storage;
using Xunit.Abstractions;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>A host with a tenant of the fuzz test's own (its S3 prefix is the test's alone) and /dev/run answering at once.</summary>
public sealed class FuzzFixture : IngestFixture
{
    internal static readonly TestTenant Tenant = new("fuzz", "fuzz-51d2e8-test-key");

    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        // The fuzz test is about answers, not outcomes: /dev/run answers 202 at once instead of waiting for a processor.
        ["Ingest:DevRun:WaitSeconds"] = "0",
        // One tenant sends all 16 cases at once: room for them, so that every case reaches the parsers.
        ["Ingest:MaxConcurrentUploads"] = "24",
        ["Ingest:Limits:MaxConcurrentUploadsPerTenant"] = "16",
        [$"Ingest:Tenants:{TestTenants.All.Length}:TenantId"] = Tenant.TenantId,
        [$"Ingest:Tenants:{TestTenants.All.Length}:ApiKeySha256"] = Tenant.ApiKeySha256,
    };
}

/// <summary>
/// Issue 17 items 1 and 6: 10,000 deterministic fuzzed requests (<see cref="FuzzCases"/>) to both POST endpoints over
/// raw sockets, 16 at a time. Not one 5xx, not one left without an answer past the deadline; every refusal the service
/// makes is the spec's error JSON with one of its messages; what was refused left no event and no object (the topic
/// holds exactly the accepted requests, S3 exactly their media, none of it empty); and no log line carries a
/// description, media bytes, a key, or a line break from the request.
/// </summary>
[Trait("Category", "Stack")]
public sealed partial class FuzzTests(FuzzFixture fixture, ITestOutputHelper output) : IClassFixture<FuzzFixture>
{
    private const int Seed = 20_261_207;
    private const int Cases = 10_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> Messages =
    [
        UserMessages.MediaUpload, UserMessages.TextValidation, UserMessages.UnsupportedFormat, UserMessages.Unauthorized, UserMessages.RequestNotFound,
        UserMessages.IdempotencyInProgress, UserMessages.UnsupportedContentType, UserMessages.InvalidJson, UserMessages.TooManyUploads,
        UserMessages.MethodNotAllowed, UserMessages.EndpointNotFound,
    ];

    [Fact]
    public async Task Ten_thousand_fuzzed_requests_get_4xx_never_5xx_leave_nothing_when_refused_and_log_nothing_of_theirs()
    {
        var port = fixture.Host.BaseAddress.Port;
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        var cases = new FuzzCases(Seed, $"127.0.0.1:{port}", FuzzFixture.Tenant.ApiKey);
        var results = new ConcurrentBag<Result>();
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, Cases), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (index, _) =>
        {
            var fuzz = cases.Create(index);
            using var deadline = new CancellationTokenSource(Deadline);
            try
            {
                var answer = await RawHttp.SendAsync(endpoint, fuzz.Request, fuzz.SendBytes, fuzz.Ending, deadline.Token);
                results.Add(new Result(fuzz, answer, Check(fuzz, answer)));
            }
            catch (OperationCanceledException)
            {
                results.Add(new Result(fuzz, RawAnswer.None, $"no answer within {Deadline.TotalSeconds} s"));
            }
        });
        var elapsed = clock.Elapsed;

        var accepted = results.Where(r => r.Answer.Status == 202).Select(r => JsonDocument.Parse(r.Answer.Body).RootElement.GetProperty("request_id").GetGuid())
            .ToHashSet();
        Report(results, accepted.Count, elapsed);
        var problems = results.Where(r => r.Problem is not null).OrderBy(r => r.Case.Index).ToList();
        Assert.True(problems.Count == 0, $"{problems.Count} answers broke the rules, e.g.:\n" + string.Join("\n", problems.Take(15).Select(p => $"{p.Case}: {p.Problem}")));

        // Every accepted request is on the topic, once; nothing refused is. A request sent whole by a client that then
        // left may have been accepted without anybody receiving the 202: its event is no fault.
        var events = (await fixture.RequestedAsync(accepted.Count, TimeSpan.FromSeconds(60))).Select(r => r.Message.Value).ToList();
        var byId = results.Where(r => r.Case.IdempotencyKey is { } key && RequestIds.IsValidIdempotencyKey(key))
            .ToLookup(r => RequestIds.FromIdempotencyKey(FuzzFixture.Tenant.TenantId, r.Case.IdempotencyKey!));
        Assert.Equal(events.Count, events.Select(e => e.RequestId).Distinct().Count());
        Assert.Subset(events.Select(e => e.RequestId).ToHashSet(), accepted);
        var refusedButPublished = events.Where(e => !byId[e.RequestId].Any(r => r.Answer.Status == 202 || !r.Answer.Complete)).ToList();
        Assert.True(refusedButPublished.Count == 0, $"{refusedButPublished.Count} events of refused requests, e.g. " +
            string.Join("; ", refusedButPublished.Take(3).Select(e => string.Join(" | ", byId[e.RequestId].Select(r => $"{r.Case}: {r.Answer.Status}")))));
        var objects = await fixture.InputsAsync(FuzzFixture.Tenant.TenantId + "/");
        output.WriteLine($"events on the topic: {events.Count} ({events.Count - accepted.Count} of requests whose client left before the answer); " +
                         $"objects in S3: {objects.Count}");
        var owned = events.Where(e => e.Media is not null).Select(e => S3ObjectRef.Parse(e.Media!.Uri).Key).ToHashSet();
        var orphans = objects.Where(o => !owned.Contains(o.Key)).ToList();
        Assert.True(orphans.Count == 0, $"{orphans.Count} objects in S3 belong to no accepted request: " + string.Join(", ", orphans.Take(5).Select(o => $"{o.Key} ({o.Size} bytes)")));
        Assert.Equal(owned.Order(), objects.Select(o => o.Key).Order());
        Assert.All(objects, o => Assert.True(o.Size > 0, $"{o.Key} is empty"));

        // Nothing of the requests in the logs: no description, media bytes (raw or base64) or key, and no line broken by one.
        string[] secrets = [FuzzCases.DescriptionMarker, FuzzCases.MediaMarker, FuzzCases.MediaMarkerBase64, FuzzCases.KeyMarker, FuzzFixture.Tenant.ApiKey];
        var lines = fixture.Host.Logs.Lines;
        var leaks = lines.Where(l => secrets.Any(s => l.All.Contains(s, StringComparison.Ordinal))).ToList();
        var broken = lines.Where(l => l.Message.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029')).ToList();
        output.WriteLine($"log lines scanned: {lines.Count}, with user content: {leaks.Count}, with control characters: {broken.Count}");
        Assert.True(leaks.Count == 0, "User content in the logs:\n" + string.Join("\n", leaks.Take(5).Select(l => l.All)));
        Assert.True(broken.Count == 0, "Control characters in log lines:\n" + string.Join("\n", broken.Take(5).Select(l => l.Message)));
        Assert.Contains(lines, l => l.Message.Contains("FORGED-LINE", StringComparison.Ordinal));
    }

    /// <summary>What is wrong with an answer, or null.</summary>
    private static string? Check(FuzzCase fuzz, RawAnswer answer)
    {
        if (fuzz.Ending == RawEnding.Reset)
        {
            return null;
        }

        if (!answer.Complete)
        {
            // A request whose sender stopped sending (FIN) may be dropped, even mid-answer; one sent whole must be answered.
            return fuzz.Ending == RawEnding.HalfClose ? null : answer.Status == 0 ? "the connection closed without an answer" : "the answer was cut short";
        }

        switch (answer.Status)
        {
            case >= 500:
                return $"HTTP {answer.Status}: {Shorten(answer.Text)}";
            case 202:
                return null;
            case < 400:
                return $"HTTP {answer.Status} is neither accepted nor refused";
        }

        if (!answer.Headers.TryGetValue("Content-Type", out var type) || !type.StartsWith("application/json", StringComparison.Ordinal))
        {
            // Kestrel refuses what is broken at the HTTP level itself, before the service sees a request.
            return fuzz.HeadLevel ? null : $"HTTP {answer.Status} without the error JSON";
        }

        try
        {
            var root = JsonDocument.Parse(answer.Body).RootElement;
            var error = root.GetProperty("error");
            var message = error.GetProperty("message").GetString()!;
            return root.GetProperty("success").GetBoolean() ? "success: true in a refusal"
                : error.GetProperty("statusCode").GetInt32() != answer.Status ? "statusCode differs from the HTTP status"
                : error.GetProperty("code").GetString() is not { Length: > 0 } ? "no error code"
                : !Messages.Contains(message) && !FieldMessage().IsMatch(message) && !IsCapabilityRefusal(error) ? $"a message not of the spec's: {message}"
                : error.GetProperty("details").ValueKind != JsonValueKind.Object ? "details is not an object"
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"HTTP {answer.Status} with a body that is not the error JSON: {Shorten(answer.Text)}";
        }
    }

    /// <summary>The providers' capability check refuses with its own message, naming the limit it hit (RequestValidator).</summary>
    private static bool IsCapabilityRefusal(JsonElement error) =>
        error.GetProperty("code").GetString() == ApiErrors.InvalidInput
        && error.GetProperty("details").TryGetProperty("field", out var field) && field.GetString() == "request";

    private void Report(IReadOnlyCollection<Result> results, int accepted, TimeSpan elapsed)
    {
        output.WriteLine($"fuzz: {results.Count} cases (seed {Seed}) in {elapsed.TotalSeconds:0.0} s; accepted (202): {accepted} distinct requests");
        output.WriteLine($"5xx: {results.Count(r => r.Answer.Status >= 500)}; no answer: {results.Count(r => r.Answer.Status == 0)} " +
                         $"(of which reset by the client: {results.Count(r => r.Case.Ending == RawEnding.Reset)}); problems: {results.Count(r => r.Problem is not null)}");
        foreach (var group in results.Where(r => r.Answer.Status is >= 400 and < 500).GroupBy(r => (r.Answer.Status, Code: Code(r.Answer))).OrderBy(g => g.Key))
        {
            output.WriteLine($"  {group.Key.Status} {group.Key.Code}: {group.Count()}");
        }

        foreach (var group in results.GroupBy(r => r.Case.Endpoint.Split('?')[0] is "/generate/cinematic" or "/dev/run" ? r.Case.Endpoint : "other paths").OrderBy(g => g.Key))
        {
            output.WriteLine($"  {group.Key}: {group.Count()} cases");
        }
    }

    private static string Code(RawAnswer answer)
    {
        try
        {
            return JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("code").GetString() ?? "?";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "(no error JSON)";
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] : text;

    [GeneratedRegex("^(Missing required field|Invalid value for field): [^\r\n]{1,200}$")]
    private static partial Regex FieldMessage();

    private sealed record Result(FuzzCase Case, RawAnswer Answer, string? Problem);
}
