using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Status;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>POST /generate/cinematic: multipart/form-data (streamed) or JSON; 202 with the request id once published.</summary>
internal static class GenerateEndpoints
{
    public static RouteGroupBuilder MapGenerate(this RouteGroupBuilder api)
    {
        api.MapPost(IntakeContract.Generate.Endpoint, HandleAsync);
        return api;
    }

    private static Task<IResult> HandleAsync(HttpContext http, IntakeEndpoint endpoint, JsonForms json, IOptions<IngestOptions> options)
    {
        var request = http.Request;
        if (MultipartForm.IsMultipart(request))
        {
            return endpoint.HandleAsync(http, IntakeContract.Generate, MediaFormats.MaxVideoBytes + MultipartForm.FieldsAllowance,
                (session, ct) => MultipartForm.ReadAsync(request, session, ct), Accepted);
        }

        if (JsonForms.IsJson(request))
        {
            return endpoint.HandleAsync(http, IntakeContract.Generate, options.Value.MaxJsonBodyBytes,
                (session, ct) => json.ReadGenerateAsync(request, session, ct), Accepted);
        }

        throw Problems.UnsupportedContentType(request.ContentType);
    }

    /// <summary>202 with the request id and its status URL (also in the Location header).</summary>
    public static Task<IResult> Accepted(IntakeResult result, CancellationToken cancellationToken) =>
        Task.FromResult(Results.Json(StatusViews.Accepted(result.State), ApiJson.Options, statusCode: StatusCodes.Status202Accepted));
}
