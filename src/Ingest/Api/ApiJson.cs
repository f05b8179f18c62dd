using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Net.Http.Headers;

namespace CinematicSwitch.Ingest.Api;

/// <summary>How the API writes JSON: snake_case names as in the service spec, nulls left out.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    public static IResult Error(ErrorBody error) => Results.Json(new ErrorEnvelope(false, error), Options, statusCode: error.StatusCode);

    /// <summary>
    /// Writes the error JSON. A request that still has a body gets "Connection: close": the refusal may come before
    /// the body was read (an oversized upload), and closing is what keeps the server from reading the rest of it.
    /// </summary>
    public static async Task WriteErrorAsync(HttpContext context, ErrorBody error)
    {
        context.Response.Clear();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            context.Response.Headers.Connection = "close";
        }

        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        if (error.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers[HeaderNames.RetryAfter] = "5";
        }

        context.Response.StatusCode = error.StatusCode;
        await context.Response.WriteAsJsonAsync(new ErrorEnvelope(false, error), Options, context.RequestAborted);
    }
}
