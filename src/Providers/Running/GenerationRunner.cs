using System.Threading.RateLimiting;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;

namespace CinematicSwitch.Providers.Running;

/// <summary>
/// Runs a request's plan job by job, journaling Starting before every create and Started right after it, so that a
/// restarted worker polls the same jobs instead of paying for new ones. Routes by task and configuration, refuses what no
/// provider can do, and falls back to the next video provider when a provider fails for reasons not the user's.
/// </summary>
internal sealed partial class GenerationRunner : IGenerationRunner
{
    private readonly ProvidersOptions options;
    private readonly Dictionary<Provider, IProviderAdapter> adapters;
    private readonly Dictionary<Provider, ResiliencePipeline> slots;
    private readonly TimeProvider time;
    private readonly JobDoorbell doorbell;
    private readonly ILogger<GenerationRunner> logger;

    public GenerationRunner(IOptions<ProvidersOptions> options, IEnumerable<IProviderAdapter> adapters, TimeProvider time, JobDoorbell doorbell,
        ILogger<GenerationRunner> logger)
    {
        this.options = options.Value;
        this.doorbell = doorbell;
        this.adapters = adapters.ToDictionary(a => a.Name);
        this.time = time;
        this.logger = logger;
        slots = this.adapters.ToDictionary(a => a.Key, a => new ResiliencePipelineBuilder { TimeProvider = time }
            .AddConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = a.Value.Options.MaxConcurrent,
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            })
            .Build());
    }

    public CapabilityCheck Check(GenerationRequest request)
    {
        var route = Route(request);
        return route.Candidates.Count > 0
            ? new CapabilityCheck(route.Candidates[0].Adapter.Name, route.Candidates[0].Plan.Model, null)
            : new CapabilityCheck(null, null, route.Refusal);
    }

    public async Task<GenerationOutcome> RunAsync(GenerationRequest request, IReadOnlyList<JobCheckpoint> resumeFrom, IJobJournal journal,
        CancellationToken cancellationToken)
    {
        var route = Route(request);
        if (route.Candidates.Count == 0)
        {
            LogRefused(request.RequestId, route.Refusal!.Message);
            return GenerationOutcome.Fail(route.Refusal!);
        }

        var started = time.GetTimestamp();

        // A fallback provider with checkpoints means the providers before it already failed: resume there.
        var first = route.Candidates.FindLastIndex(c => resumeFrom.Any(cp => cp.Provider == c.Adapter.Name));
        ProviderFailure? failure = null;
        Provider? fallbackFrom = null;
        if (first > 0)
        {
            fallbackFrom = route.Candidates[0].Adapter.Name;
            failure = resumeFrom.Where(cp => cp.Provider == route.Candidates[first - 1].Adapter.Name && cp.Failure is not null)
                .Select(cp => cp.Failure).LastOrDefault();
        }

        for (var i = Math.Max(0, first); i < route.Candidates.Count; i++)
        {
            var (adapter, plan) = route.Candidates[i];
            if (failure is not null)
            {
                fallbackFrom ??= route.Candidates[i - 1].Adapter.Name;
                LogFallback(request.RequestId, route.Candidates[i - 1].Adapter.Name, adapter.Name, failure.Code);
            }

            var attempt = await RunPlanAsync(request, adapter, plan, resumeFrom.Where(cp => cp.Provider == adapter.Name).ToList(), journal, cancellationToken);
            if (attempt.Result is { } result)
            {
                var warnings = route.Warnings.Concat(result.Warnings).ToList();
                return GenerationOutcome.Success(result with
                {
                    Warnings = warnings,
                    FallbackFrom = fallbackFrom,
                    FallbackReason = fallbackFrom is null ? null : failure?.Message ?? "The first provider failed before a restart.",
                    ProviderTime = time.GetElapsedTime(started),
                });
            }

            failure = attempt.Failure!;
            if (!failure.AllowsFallback)
            {
                break;
            }
        }

        LogFailed(request.RequestId, failure!.Provider, failure.Code, failure.HttpStatus);
        return GenerationOutcome.Fail(failure);
    }

    private sealed record Candidate(IProviderAdapter Adapter, GenerationPlan Plan);

    private sealed record RouteDecision(List<Candidate> Candidates, ProviderFailure? Refusal, List<string> Warnings);

    /// <summary>The capable providers in the order they will be tried, or the refusal (InvalidInput) when none is.</summary>
    private RouteDecision Route(GenerationRequest request)
    {
        if (request.OutputCount is < 1 or > 5)
        {
            return Refuse("output_count must be between 1 and 5.");
        }

        // The contract's Unknown (a task added after this reader was built) is nothing a provider can do.
        if (!request.Task.IsKnown())
        {
            return Refuse($"The task {request.Task} is not supported.");
        }

        if (string.IsNullOrWhiteSpace(request.SceneDescription) && string.IsNullOrWhiteSpace(request.PromptOverride))
        {
            return Refuse("A scene description is required.");
        }

        var order = (request.Task == TransformationTask.ImageTransform ? options.Routing.ImageProviders : options.Routing.VideoProviders).ToList();
        var warnings = new List<string>();
        if (request.PreferredProvider is { } preferred)
        {
            order.Remove(preferred);
            order.Insert(0, preferred);
        }

        var candidates = new List<Candidate>();
        var refusals = new List<string>();
        foreach (var name in order.Distinct())
        {
            if (!adapters.TryGetValue(name, out var adapter) || !adapter.Options.Enabled)
            {
                refusals.Add($"{name} is not enabled.");
                continue;
            }

            var decision = adapter.Plan(request);
            if (decision.Plan is { } plan)
            {
                candidates.Add(new Candidate(adapter, plan));
            }
            else
            {
                refusals.Add(decision.Refusal!);
            }
        }

        if (request.PreferredProvider is { } wanted && candidates.Count > 0 && candidates[0].Adapter.Name != wanted)
        {
            warnings.Add($"The preferred provider {wanted} cannot serve this request; {candidates[0].Adapter.Name} was used.");
        }

        return candidates.Count > 0 ? new RouteDecision(candidates, null, warnings) : Refuse(string.Join(" ", refusals.Distinct()));

        static RouteDecision Refuse(string message) =>
            new([], ProviderFailure.Create(ProviderErrorCode.InvalidInput, message, null, null, ("reason", "unsupported")), []);
    }
}
