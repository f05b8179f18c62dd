using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Status;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>
/// POST /dev/run: the spec's JSON contract. Waits for the outcome up to Ingest:DevRun:WaitSeconds and answers with
/// the spec's success or error JSON; a request still running by then gets 202 with its id, to be followed at /requests/{id}.
/// </summary>
internal static partial class DevRunEndpoints
{
    public static RouteGroupBuilder MapDevRun(this RouteGroupBuilder api)
    {
        api.MapPost(IntakeContract.DevRun.Endpoint, HandleAsync);
        return api;
    }

    private static Task<IResult> HandleAsync(HttpContext http, IntakeEndpoint endpoint, JsonForms json, RequestStatusStore statuses, StatusViews views,
        IOptions<IngestOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DevRunEndpoints));
        var request = http.Request;
        if (!JsonForms.IsJson(request))
        {
            throw Problems.UnsupportedContentType(request.ContentType);
        }

        var wait = TimeSpan.FromSeconds(options.Value.DevRun.WaitSeconds);
        return endpoint.HandleAsync(http, IntakeContract.DevRun, options.Value.MaxJsonBodyBytes,
            (session, ct) => json.ReadDevRunAsync(request, session, ct),
            async (accepted, ct) =>
            {
                var outcome = accepted.State.IsTerminal
                    ? accepted.State
                    : await statuses.WaitForOutcomeAsync(accepted.RequestId, accepted.State.TenantId, wait, ct);
                switch (outcome?.Phase)
                {
                    case RequestPhase.Completed:
                        var result = await views.ResultAsync(outcome);
                        LogCompleted(logger, outcome.RequestId, result.Provider, result.Data.ModelUsed, result.Data.VariationCount, result.Data.ProcessingTime);
                        return Results.Json(new DevRunResponse(true, outcome.RequestId, result), ApiJson.Options);
                    case RequestPhase.Failed:
                        var error = StatusViews.Error(outcome.Failed!);
                        LogFailed(logger, outcome.RequestId, error.Code, error.StatusCode);
                        return ApiJson.Error(error);
                    default:
                        LogStillRunning(logger, accepted.RequestId, wait.TotalSeconds);
                        return await GenerateEndpoints.Accepted(accepted, ct);
                }
            });
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "POST /dev/run request {RequestId} completed: provider {Provider}, model {Model}, {Variations} variations, processing {ProcessingSeconds} s")]
    private static partial void LogCompleted(ILogger logger, Guid requestId, string provider, string model, int variations, double processingSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "POST /dev/run request {RequestId} failed: {ErrorCode} (HTTP {Status})")]
    private static partial void LogFailed(ILogger logger, Guid requestId, string errorCode, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "POST /dev/run request {RequestId} still running after {WaitSeconds} s: answered 202")]
    private static partial void LogStillRunning(ILogger logger, Guid requestId, double waitSeconds);
}
