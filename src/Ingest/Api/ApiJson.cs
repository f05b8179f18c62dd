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
    /// Writes the error JSON. When a refusal leaves a large (or unknown) part of the body unread, the connection is
    /// closed once the answer is out: Kestrel would otherwise read and discard the rest (for up to 5 s) to reuse the
    /// connection, and the rest of a 2 GB upload must not be read at all. Over HTTP/1.1 a client that is still
    /// sending may then miss the answer; clients that send "Expect: 100-continue" never send a refused body at all.
    /// </summary>
    public static async Task WriteErrorAsync(HttpContext context, ErrorBody error)
    {
        context.Response.Clear();
        var close = BodyProgress.Unread(context) is not (>= 0 and <= DrainableBytes);
        if (close)
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
        if (close)
        {
            await context.Response.CompleteAsync();
            context.Abort();
        }
    }

    /// <summary>An unread remainder up to this is left for Kestrel to drain, keeping the connection.</summary>
    private const long DrainableBytes = 1024 * 1024;
}
