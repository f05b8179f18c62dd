using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers.Adapters;
using CinematicSwitch.Providers.Errors;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace CinematicSwitch.Providers.Running;

internal sealed partial class GenerationRunner
{
    private sealed record PlanAttempt(GenerationResult? Result, ProviderFailure? Failure);

    /// <summary>What one job came to: outputs and credits (in the provider's unit when it gave one), or a failure; and its time in the provider's queue.</summary>
    private sealed record JobRun(string? JobId, IReadOnlyList<string> Outputs, decimal? ReportedCredits, ProviderFailure? Failure, string? CreditUnit = null)
    {
        public TimeSpan Queued { get; init; }
    }

    /// <summary>Runs a plan's jobs one after the other (a tenant never has two jobs in flight) and assembles the result.</summary>
    private async Task<PlanAttempt> RunPlanAsync(GenerationRequest request, IProviderAdapter adapter, GenerationPlan plan,
        List<JobCheckpoint> checkpoints, IJobJournal journal, CancellationToken cancellationToken)
    {
        var runs = new Dictionary<int, JobRun>();
        var failedVariations = new Dictionary<int, ProviderFailure>();
        ProviderFailure? stop = null;
        foreach (var job in plan.Jobs)
        {
            if (stop is not null)
            {
                break;
            }

            if (job.Variation > 0 && failedVariations.ContainsKey(job.Variation))
            {
                continue;
            }

            MediaInput? media = request.Media;
            if (job.InputFromStep is { } source)
            {
                if (runs.GetValueOrDefault(source) is not { Failure: null, Outputs.Count: > 0 } frame)
                {
                    continue;
                }

                media = new MediaInput(frame.Outputs[0], "image/png", false);
            }

            var run = await RunJobAsync(request, adapter, job, media, checkpoints.Where(cp => cp.Step == job.Step).ToList(), journal, cancellationToken);
            runs[job.Step] = run;
            if (run.Failure is null)
            {
                continue;
            }

            if (job.Variation == 0)
            {
                stop = run.Failure;
                continue;
            }

            for (var v = job.Variation; v < job.Variation + job.OutputCount; v++)
            {
                failedVariations.TryAdd(v, run.Failure);
            }

            // Another variation would hit the same wall (the user's input, the account, this configuration, an open circuit): stop spending.
            if (run.Failure.Details.GetValueOrDefault("owner") is not (null or "provider") || run.Failure.Details.ContainsKey("circuit"))
            {
                stop = run.Failure;
            }
        }

        return Assemble(request, adapter, plan, runs, failedVariations, stop);
    }

    private static PlanAttempt Assemble(GenerationRequest request, IProviderAdapter adapter, GenerationPlan plan, Dictionary<int, JobRun> runs,
        Dictionary<int, ProviderFailure> failedVariations, ProviderFailure? stop)
    {
        var outputs = new List<GeneratedOutput>();
        var warnings = new List<string>(plan.Warnings);
        var isVideo = request.Task != TransformationTask.ImageTransform;
        for (var variation = 1; variation <= request.OutputCount; variation++)
        {
            var jobs = plan.Jobs.Where(j => j.Variation <= variation && variation < j.Variation + j.OutputCount).OrderBy(j => j.Segment).ToList();
            var produced = new List<GeneratedOutput>();
            foreach (var job in jobs)
            {
                var index = variation - job.Variation;
                if (failedVariations.ContainsKey(variation) || runs.GetValueOrDefault(job.Step) is not { Failure: null } run || run.Outputs.Count <= index)
                {
                    produced.Clear();
                    break;
                }

                var url = run.Outputs[index];
                produced.Add(new GeneratedOutput(variation, url, ContentTypeOf(url, isVideo), isVideo, job.Segment, isVideo ? job.DurationSeconds : null));
            }

            if (produced.Count > 0)
            {
                outputs.AddRange(produced);
            }
            else
            {
                warnings.Add($"Failed to generate variation {variation}");
            }
        }

        if (outputs.Count == 0)
        {
            var failure = stop ?? failedVariations.Values.FirstOrDefault() ?? runs.Values.Select(r => r.Failure).FirstOrDefault(f => f is not null)
                ?? ProviderFailure.Create(ProviderErrorCode.ProviderError, $"{adapter.Name} produced no output.", adapter.Name);
            return new PlanAttempt(null, failure);
        }

        var succeeded = plan.Jobs.Where(j => runs.GetValueOrDefault(j.Step) is { Failure: null }).ToList();
        // The provider's own figures only when every job reported one, in one unit; else the rate table for all of them.
        var units = succeeded.Select(j => runs[j.Step].CreditUnit ?? adapter.Options.CreditUnit).Distinct().ToList();
        var reported = succeeded.All(j => runs[j.Step].ReportedCredits is not null) && units.Count == 1;
        var credits = reported
            ? succeeded.Sum(j => runs[j.Step].ReportedCredits!.Value)
            : succeeded.Sum(j => adapter.EstimateCredits(j, Math.Max(1, runs[j.Step].Outputs.Count)));
        var jobIds = plan.Jobs.Select(j => runs.GetValueOrDefault(j.Step)?.JobId).OfType<string>().ToList();
        // The seed of each variation that produced media, as sent (models without a seed send none).
        var seeds = outputs.Select(o => o.Index).Distinct()
            .Select(v => plan.Jobs.First(j => j.Variation <= v && v < j.Variation + j.OutputCount && j.Operation != JobOperation.TextToImage))
            .Select(j => j.Seed)
            .ToList();
        return new PlanAttempt(new GenerationResult(adapter.Name, plan.Model, outputs, warnings, credits, reported ? units[0] : adapter.Options.CreditUnit,
            reported ? CreditSource.Reported : CreditSource.RateTable, jobIds, null, null, TimeSpan.Zero)
        {
            Seeds = seeds.All(s => s is not null) ? seeds.Select(s => s!.Value).ToList() : [],
            QueuedTime = runs.Values.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Queued),
        }, null);
    }

    private static string? ContentTypeOf(string url, bool isVideo)
    {
        var path = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : url;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".webp" => "image/webp",
            ".mp4" => "video/mp4",
            _ => isVideo ? "video/mp4" : null,
        };
    }

    /// <summary>One job, from its checkpoints: finished jobs are reused, started jobs polled, new jobs created.</summary>
    private async Task<JobRun> RunJobAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, MediaInput? media,
        List<JobCheckpoint> checkpoints, IJobJournal journal, CancellationToken cancellationToken)
    {
        var last = checkpoints.LastOrDefault();
        var startedCheckpoint = checkpoints.LastOrDefault(cp => cp.JobId is not null);
        switch (last?.State)
        {
            case JobState.Finished:
                return new JobRun(last.JobId, last.Outputs ?? [], last.Credits ?? startedCheckpoint?.Credits, null,
                    last.CreditUnit ?? startedCheckpoint?.CreditUnit);
            case JobState.Failed or JobState.Canceled:
                return new JobRun(last.JobId, [], null,
                    last.Failure ?? ProviderFailure.Create(ProviderErrorCode.ProviderError, "The job failed before a restart.", adapter.Name));
        }

        // A provider's jobs in flight are capped (its MaxConcurrent); a job waits for a slot, oldest first.
        return await slots[adapter.Name].ExecuteAsync(
            ct => new ValueTask<JobRun>(CreateOrResumeAsync(request, adapter, job, media, last, journal, ct)), cancellationToken);
    }

    /// <summary>A job without an outcome yet: polled again when its id is known, found or created otherwise, then polled to its end.</summary>
    private async Task<JobRun> CreateOrResumeAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, MediaInput? media,
        JobCheckpoint? last, IJobJournal journal, CancellationToken cancellationToken)
    {
        var timeout = adapter.Options.Timeout;
        JobCreated created;
        DateTimeOffset createdAt;
        if (last is { State: JobState.Started, JobId: { } knownId })
        {
            created = new JobCreated(knownId, last.Credits, null, last.CreditUnit, last.Uploads);
            createdAt = last.RecordedAt;
            LogResumed(request.RequestId, adapter.Name, job.Step, knownId);
        }
        else
        {
            var found = last is { State: JobState.Starting }
                ? await RecoverAsync(request, adapter, job, last.RecordedAt, "a worker restart", journal, cancellationToken)
                : null;
            if (found is { Failure: { } unknown })
            {
                return found;
            }

            if (found is { JobId: { } foundId })
            {
                created = new JobCreated(foundId, found.ReportedCredits, null, found.CreditUnit);
            }
            else
            {
                var create = await CreateAsync(request, adapter, job, media, journal, cancellationToken);
                if (create.Run is not null)
                {
                    return create.Run;
                }

                created = create.Created!;
                if (created.Status is null && adapter.Options.Webhook.Enabled)
                {
                    // Just created, so not ended: with webhooks on, the first read waits for the doorbell (or the safety net).
                    created = created with { Status = JobStatus.Running };
                }
            }

            createdAt = time.GetUtcNow();
            await journal.RecordAsync(new JobCheckpoint(job.Step, adapter.Name, job.Model, created.JobId, JobState.Started, createdAt, Credits: created.Credits,
                CreditUnit: created.CreditUnit, Uploads: created.Uploads is { Count: > 0 } uploads ? uploads : null), cancellationToken);
        }

        var run = await PollAsync(request, adapter, job, created, createdAt + timeout, journal, cancellationToken);
        await ReleaseAsync(request, adapter, created, cancellationToken);
        return run;
    }

    /// <summary>Deletes what was uploaded for a job that has ended; a failure leaves it to the provider's own expiry.</summary>
    private async Task ReleaseAsync(GenerationRequest request, IProviderAdapter adapter, JobCreated created, CancellationToken cancellationToken)
    {
        if (created.Uploads is not { Count: > 0 } uploads)
        {
            return;
        }

        try
        {
            await adapter.ReleaseAsync(uploads, new JobContext(request.RequestId, time.GetUtcNow() + TimeSpan.FromSeconds(30)), cancellationToken);
        }
        catch (ProviderException ex)
        {
            LogReleaseFailed(request.RequestId, adapter.Name, created.JobId, ex.Failure.HttpStatus);
        }
    }

    private sealed record CreateResult(JobCreated? Created, JobRun? Run);

    private async Task<CreateResult> CreateAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, MediaInput? media,
        IJobJournal journal, CancellationToken cancellationToken)
    {
        var intent = time.GetUtcNow();
        await journal.RecordAsync(new JobCheckpoint(job.Step, adapter.Name, job.Model, null, JobState.Starting, intent), cancellationToken);
        var context = new JobContext(request.RequestId, intent + adapter.Options.Timeout) { BeforeCreate = journal.EnsureCurrentAsync };
        try
        {
            var created = await adapter.CreateAsync(job, media, context, cancellationToken);
            LogCreated(request.RequestId, adapter.Name, job.Model, job.Step, created.JobId, job.Prompt.Length);
            return new CreateResult(created, null);
        }
        catch (ProviderException ex) when (ex.Ambiguous)
        {
            var found = await RecoverAsync(request, adapter, job, intent, "an unanswered create call", journal, cancellationToken);
            return found is { JobId: { } id, Failure: null }
                ? new CreateResult(new JobCreated(id, found.ReportedCredits, null, found.CreditUnit), null)
                : new CreateResult(null, found ?? await FailAsync(adapter, job, null, ex.Failure, journal, cancellationToken));
        }
        catch (ProviderException ex)
        {
            return new CreateResult(null, await FailAsync(adapter, job, null, ex.Failure, journal, cancellationToken));
        }
    }

    /// <summary>
    /// A create whose outcome is unknown: find the job if the API can list jobs (after a grace period, a miss means
    /// the call never landed and a new create is safe); otherwise fail, never risking a second paid job.
    /// </summary>
    private async Task<JobRun?> RecoverAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, DateTimeOffset intent, string cause,
        IJobJournal journal, CancellationToken cancellationToken)
    {
        if (!adapter.CanFindJobs)
        {
            var failure = ProviderFailure.Create(ProviderErrorCode.ProviderError,
                $"The state of the {adapter.Name} job is unknown after {cause}: the create call may or may not have reached {adapter.Name}, " +
                $"and its API cannot list jobs. No second job was started, so that nothing is paid twice.",
                adapter.Name, null, ("step", job.Step.ToString()), ("jobState", "unknown"));
            return await FailAsync(adapter, job, null, failure, journal, cancellationToken);
        }

        var grace = TimeSpan.FromMilliseconds(adapter.Options.ResumeLookupGraceMs) - (time.GetUtcNow() - intent);
        if (grace > TimeSpan.Zero)
        {
            await Task.Delay(grace, time, cancellationToken);
        }

        try
        {
            // A look-up that fails for a reason that says nothing about the job (the provider or the network down) is tried
            // again until the job's own deadline: failing the request would give up a job that may well be running.
            var deadline = intent + adapter.Options.Timeout;
            var lookUp = new ResiliencePipelineBuilder<JobCreated?> { TimeProvider = time }
                .AddRetry(new RetryStrategyOptions<JobCreated?>
                {
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = adapter.Options.PollInterval,
                    MaxDelay = TimeSpan.FromSeconds(30),
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is ProviderException { Failure: var f } && IsTransient(f)
                        && time.GetUtcNow() < deadline),
                    OnRetry = args =>
                    {
                        LogLookUpRetry(request.RequestId, adapter.Name, job.Step, args.RetryDelay);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
            var found = await lookUp.ExecuteAsync(
                async ct => await adapter.FindAsync(job, intent, new JobContext(request.RequestId, time.GetUtcNow() + adapter.Options.Timeout), ct),
                cancellationToken);
            if (found is null)
            {
                LogNotFound(request.RequestId, adapter.Name, job.Step);
                return null;
            }

            LogFound(request.RequestId, adapter.Name, job.Step, found.JobId);
            return new JobRun(found.JobId, [], found.Credits, null, found.CreditUnit);
        }
        catch (ProviderException ex)
        {
            var failure = ex.Failure with { Message = $"The {adapter.Name} job's state is unknown after {cause} and the look-up failed: {ex.Failure.Message}" };
            return await FailAsync(adapter, job, null, failure, journal, cancellationToken);
        }
    }

    /// <summary>
    /// Polls until the job ends or its deadline passes (then cancels it: Timeout). Time the provider holds the job in its
    /// queue (Runway's THROTTLED) moves the deadline on, up to <see cref="Configuration.ProviderOptions.MaxQueuedMs"/>: the
    /// job's timeout counts its own running time, not the account's queue.
    /// </summary>
    private async Task<JobRun> PollAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, JobCreated created, DateTimeOffset deadline,
        IJobJournal journal, CancellationToken cancellationToken)
    {
        var context = new JobContext(request.RequestId, deadline);
        // With webhooks on, a verified webhook rings this bell and the job is read at once; the wait between polls is the safety net's.
        using var bell = doorbell.Arm(adapter.Name, created.JobId);
        var status = created.Status;
        ProviderFailure? pollFailure = null;
        var queued = TimeSpan.Zero;
        // A task seen queued at its first poll has waited since its creation.
        var polledAt = deadline - adapter.Options.Timeout;
        var first = true;
        while (status is not { IsTerminal: true })
        {
            if (status is not null || pollFailure is not null)
            {
                var wait = deadline - time.GetUtcNow();
                if (wait <= TimeSpan.Zero)
                {
                    return await TimeOutAsync(request, adapter, job, created, context, pollFailure, journal, cancellationToken) with { Queued = queued };
                }

                // After a failed read the regular interval: the doorbell that prompted it, if any, has been spent.
                var interval = pollFailure is null ? adapter.Options.WaitBetweenPolls : adapter.Options.PollInterval;
                await bell.WaitAsync(wait < interval ? wait : interval, time, cancellationToken);
            }

            try
            {
                var wasQueued = status?.Queued == true || first;
                first = false;
                status = await adapter.GetAsync(job, created.JobId, context, cancellationToken);
                pollFailure = null;
                var now = time.GetUtcNow();
                if (wasQueued && status.Queued && queued < adapter.Options.MaxQueued)
                {
                    var held = now - polledAt;
                    var charged = queued + held > adapter.Options.MaxQueued ? adapter.Options.MaxQueued - queued : held;
                    queued += charged;
                    deadline += charged;
                    context = context with { Deadline = deadline };
                }

                polledAt = now;
            }
            catch (ProviderException ex) when (IsTransient(ex.Failure))
            {
                // A failed poll says nothing about the job: keep polling until its deadline.
                LogPollFailed(request.RequestId, adapter.Name, created.JobId, ex.Failure.HttpStatus);
                pollFailure = ex.Failure;
                status = null;
            }
            catch (ProviderException ex)
            {
                return await FailAsync(adapter, job, created.JobId, ex.Failure, journal, cancellationToken) with { Queued = queued };
            }
        }

        if (queued > TimeSpan.Zero)
        {
            LogQueued(request.RequestId, adapter.Name, created.JobId, (long)queued.TotalMilliseconds);
        }

        if (status.Phase == JobPhase.Succeeded && status.Outputs.Count > 0)
        {
            await journal.RecordAsync(new JobCheckpoint(job.Step, adapter.Name, job.Model, created.JobId, JobState.Finished, time.GetUtcNow(),
                status.Outputs, created.Credits, CreditUnit: created.CreditUnit), cancellationToken);
            LogFinished(request.RequestId, adapter.Name, job.Step, created.JobId, status.Outputs.Count);
            return new JobRun(created.JobId, status.Outputs, created.Credits, null, created.CreditUnit) { Queued = queued };
        }

        var failure = status.Failure ?? ProviderFailure.Create(ProviderErrorCode.ProviderError, $"The {adapter.Name} job ended without output.", adapter.Name,
            null, ("jobId", created.JobId));
        if (failure.Code == ProviderErrorCode.Timeout)
        {
            // The provider ended it at the deadline it was given (Replicate's Cancel-After): the same timeout as the runner's own.
            var seconds = (int)adapter.Options.Timeout.TotalSeconds;
            failure = failure with
            {
                Message = $"AI task timed out after {seconds} seconds",
                Details = new Dictionary<string, string>(failure.Details) { ["timeout_seconds"] = seconds.ToString() },
            };
        }
        return await FailAsync(adapter, job, created.JobId, failure, journal, cancellationToken) with { Queued = queued };
    }

    private async Task<JobRun> TimeOutAsync(GenerationRequest request, IProviderAdapter adapter, PlannedJob job, JobCreated created, JobContext context,
        ProviderFailure? pollFailure, IJobJournal journal, CancellationToken cancellationToken)
    {
        try
        {
            await adapter.CancelAsync(created.JobId, context with { Deadline = time.GetUtcNow() + TimeSpan.FromSeconds(30) }, cancellationToken);
        }
        catch (ProviderException ex)
        {
            LogCancelFailed(request.RequestId, adapter.Name, created.JobId, ex.Failure.HttpStatus);
        }

        var seconds = (int)adapter.Options.Timeout.TotalSeconds;
        var failure = pollFailure is null
            ? ProviderErrors.Get($"{adapter.Name.ToString().ToLowerInvariant()}.timeout").ToFailure(new ErrorFacts(),
                ("timeout_seconds", seconds.ToString()), ("jobId", created.JobId), ("canceled", "true")) with { Message = $"AI task timed out after {seconds} seconds" }
            : pollFailure with { Message = $"{adapter.Name} could not be polled until the job's {seconds} s deadline: {pollFailure.Message}" };
        await journal.RecordAsync(new JobCheckpoint(job.Step, adapter.Name, job.Model, created.JobId, JobState.Canceled, time.GetUtcNow(), Failure: failure),
            cancellationToken);
        LogTimedOut(request.RequestId, adapter.Name, job.Step, created.JobId);
        return new JobRun(created.JobId, [], null, failure);
    }

    private async Task<JobRun> FailAsync(IProviderAdapter adapter, PlannedJob job, string? jobId, ProviderFailure failure, IJobJournal journal,
        CancellationToken cancellationToken)
    {
        var withJob = jobId is null || failure.Details.ContainsKey("jobId")
            ? failure
            : failure with { Details = new Dictionary<string, string>(failure.Details) { ["jobId"] = jobId } };
        await journal.RecordAsync(new JobCheckpoint(job.Step, adapter.Name, job.Model, jobId, JobState.Failed, time.GetUtcNow(), Failure: withJob),
            cancellationToken);
        LogJobFailed(adapter.Name, job.Step, jobId, withJob.Code, withJob.HttpStatus);
        return new JobRun(jobId, [], null, withJob);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: {Provider} created job {JobId} (model {Model}, step {Step}, prompt {PromptLength} chars)")]
    private partial void LogCreated(Guid requestId, Provider provider, string model, int step, string jobId, int promptLength);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: resuming {Provider} job {JobId} (step {Step})")]
    private partial void LogResumed(Guid requestId, Provider provider, int step, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: found {Provider} job {JobId} of step {Step} after an unknown create outcome")]
    private partial void LogFound(Guid requestId, Provider provider, int step, string jobId);

    /// <summary>A failure of a call that says nothing about the job it was about: the provider's server or the network.</summary>
    private static bool IsTransient(ProviderFailure failure) =>
        failure.Code == ProviderErrorCode.ProviderError && failure.HttpStatus is null or >= 500 or 429;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: looking up the {Provider} job of step {Step} failed; trying again in {Delay}")]
    private partial void LogLookUpRetry(Guid requestId, Provider provider, int step, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: {Provider} has no job of step {Step}; creating it")]
    private partial void LogNotFound(Guid requestId, Provider provider, int step);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: {Provider} job {JobId} of step {Step} finished with {Outputs} outputs")]
    private partial void LogFinished(Guid requestId, Provider provider, int step, string jobId, int outputs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Provider} job {JobId} of step {Step} failed: {Code} (HTTP {HttpStatus})")]
    private partial void LogJobFailed(Provider provider, int step, string? jobId, ProviderErrorCode code, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: {Provider} job {JobId} of step {Step} passed its deadline and was cancelled")]
    private partial void LogTimedOut(Guid requestId, Provider provider, int step, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: polling {Provider} job {JobId} failed (HTTP {HttpStatus}); polling on")]
    private partial void LogPollFailed(Guid requestId, Provider provider, string jobId, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: {Provider} job {JobId} waited {QueuedMs} ms in the provider's queue (not charged to its timeout)")]
    private partial void LogQueued(Guid requestId, Provider provider, string jobId, long queuedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: deleting the inputs uploaded for {Provider} job {JobId} failed (HTTP {HttpStatus})")]
    private partial void LogReleaseFailed(Guid requestId, Provider provider, string jobId, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: cancelling {Provider} job {JobId} failed (HTTP {HttpStatus})")]
    private partial void LogCancelFailed(Guid requestId, Provider provider, string jobId, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: falling back from {From} to {To} after {Code}")]
    private partial void LogFallback(Guid requestId, Provider from, Provider to, ProviderErrorCode code);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} refused before any provider call: {Reason}")]
    private partial void LogRefused(Guid requestId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} failed: {Provider} {Code} (HTTP {HttpStatus})")]
    private partial void LogFailed(Guid requestId, Provider? provider, ProviderErrorCode code, int? httpStatus);
}
