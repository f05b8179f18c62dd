using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Status;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>
/// POST /dev/run: the spec's JSON contract. Waits for the outcome up to Ingest:DevRun:WaitSeconds and answers with
/// the spec's success or error JSON; a request still running by then gets 202 with its id, to be followed at /requests/{id}.
/// </summary>
internal static class DevRunEndpoints
{
    public static RouteGroupBuilder MapDevRun(this RouteGroupBuilder api)
    {
        api.MapPost(IntakeContract.DevRun.Endpoint, HandleAsync);
        return api;
    }

    private static Task<IResult> HandleAsync(HttpContext http, IntakeEndpoint endpoint, JsonForms json, RequestStatusStore statuses, StatusViews views,
        IOptions<IngestOptions> options)
    {
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
                return outcome?.Phase switch
                {
                    RequestPhase.Completed => Results.Json(new DevRunResponse(true, outcome.RequestId, await views.ResultAsync(outcome)), ApiJson.Options),
                    RequestPhase.Failed => ApiJson.Error(StatusViews.Error(outcome.Failed!)),
                    _ => await GenerateEndpoints.Accepted(accepted, ct),
                };
            });
    }
}
