using System.Text.RegularExpressions;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Simulators.Core;

namespace CinematicSwitch.Testing;

/// <summary>A request a test published, with the token its description carries into the provider's prompt.</summary>
public sealed record TrackedRequest(Guid RequestId, string Tenant, string Token, int OutputCount)
{
    /// <summary>The tenants requests are spread over: tenant-00, tenant-01, ...</summary>
    public static IEnumerable<string> Tenants(int tenants) => Enumerable.Range(0, tenants).Select(i => $"tenant-{i:D2}");

    /// <summary>
    /// Request number <paramref name="index"/>, of tenant <c>index mod tenants</c>, with a token unique to it and that
    /// tenant's media (<see cref="PipelineTestbed.UploadImagesAsync"/> over <see cref="Tenants"/>).
    /// </summary>
    public static (TransformationRequested Request, TrackedRequest Tracked) Create(int index, int tenants, IReadOnlyDictionary<string, MediaReference> media,
        int outputCount = 1)
    {
        var tenant = $"tenant-{index % tenants:D2}";
        var token = $"req-{index:D5}";
        var request = PipelineTestbed.Request(tenant, media[tenant], $"a medieval knight in a castle, {token} of {tenant}", outputCount);
        return (request, new TrackedRequest(request.RequestId, tenant, token, outputCount));
    }
}

/// <summary>
/// What the pipeline promises about paid work, checked against the provider simulator's own record of every job it was
/// asked to create (each prompt carries its request's token). Each check returns its violations, empty when it holds.
/// </summary>
public static partial class PipelineInvariants
{
    /// <summary>The jobs started for each token (jobs whose prompt has no token are under "").</summary>
    public static Dictionary<string, List<SimJobRecord>> JobsByToken(IEnumerable<SimJobRecord> jobs) =>
        jobs.GroupBy(j => Token().Match(j.Prompt) is { Success: true } m ? m.Value : "", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

    /// <summary>Exactly one provider job per request, and none for anything else.</summary>
    public static List<string> OneJobPerRequest(IReadOnlyCollection<TrackedRequest> requests, Dictionary<string, List<SimJobRecord>> jobsByToken)
    {
        // Each job with its id and times, to be found in the services' logs.
        var problems = requests.Select(r => (Request: r, Jobs: jobsByToken.GetValueOrDefault(r.Token) ?? []))
            .Where(r => r.Jobs.Count != 1)
            .Select(r => $"{r.Request.Token} (request {r.Request.RequestId}) started {r.Jobs.Count} provider jobs: " +
                string.Join(", ", r.Jobs.Select(j => $"{j.Id} created {j.CreatedAt:HH:mm:ss.fff} {j.Status}")))
            .ToList();
        var known = requests.Select(r => r.Token).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(jobsByToken.Where(kv => !known.Contains(kv.Key)).Select(kv => $"{kv.Value.Count} job(s) of no request published ('{kv.Key}')"));
        return problems;
    }

    /// <summary>Never two jobs of one tenant in flight at once (a cancelled job stopped when it was cancelled; one never ended runs on).</summary>
    public static List<string> NoTenantOverlap(IReadOnlyCollection<TrackedRequest> requests, Dictionary<string, List<SimJobRecord>> jobsByToken)
    {
        var problems = new List<string>();
        foreach (var tenant in requests.GroupBy(r => r.Tenant))
        {
            var intervals = tenant.SelectMany(r => jobsByToken.GetValueOrDefault(r.Token) ?? [])
                .Select(j => (Start: j.CreatedAt, End: j.CanceledAt ?? j.EndedAt ?? DateTimeOffset.MaxValue))
                .OrderBy(j => j.Start).ToList();
            for (var i = 1; i < intervals.Count; i++)
            {
                if (intervals[i].Start < intervals[i - 1].End)
                {
                    problems.Add($"{tenant.Key}: a job started at {intervals[i].Start:O} while another ran until {intervals[i - 1].End:O}");
                }
            }
        }

        return problems;
    }

    [GeneratedRegex(@"\breq-\d{5}\b")]
    private static partial Regex Token();
}
