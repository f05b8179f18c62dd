using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
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
    /// connection, and the rest of a 2 GB upload must not be read at all. Before closing, the connection lingers (see
    /// <see cref="LingerAsync"/>) so that a client still sending can read the answer; clients that send
    /// "Expect: 100-continue" never send a refused body at all.
    /// </summary>
    public static async Task WriteErrorAsync(HttpContext context, ErrorBody error)
    {
        // Routing's 405 names the methods the endpoint takes.
        var allow = context.Response.Headers.Allow;
        context.Response.Clear();
        context.Response.Headers.Allow = allow;
        var close = BodyProgress.Unread(context) is not (>= 0 and <= DrainableBytes);
        if (close)
        {
            context.Response.Headers.Connection = "close";
        }

        if (error.StatusCode == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        if (error.StatusCode is StatusCodes.Status503ServiceUnavailable or StatusCodes.Status429TooManyRequests)
        {
            context.Response.Headers[HeaderNames.RetryAfter] =
                Convert.ToString(error.Details.GetValueOrDefault(RetryAfterDetail) ?? DefaultRetryAfterSeconds, CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = error.StatusCode;
        try
        {
            // Not cancelled with the request: if the caller is gone, the answer is simply lost.
            await context.Response.WriteAsJsonAsync(new ErrorEnvelope(false, error), Options, CancellationToken.None);
            if (close)
            {
                await context.Response.CompleteAsync();
                if (!await LingerAsync(context))
                {
                    // Still sending: Kestrel would drain it for seconds before closing.
                    context.Abort();
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>The detail that says how long to wait before retrying (429, 503), also sent as Retry-After.</summary>
    public const string RetryAfterDetail = "retry_after_seconds";

    private const int DefaultRetryAfterSeconds = 5;

    /// <summary>
    /// After a refusal that closes the connection: reads and drops what the caller still sends (or, when the body
    /// cannot be read any more, waits for the caller to close), for a bounded moment. Closing a socket with unread data
    /// resets it, and a reset can destroy the answer before a client that is still sending has read it. At most
    /// Ingest:Limits:RefusalLingerMs and RefusalLingerBytes, so that a refused 2 GB upload costs the server no more.
    /// </summary>
    /// <returns>Whether the body was read to its end (the connection then closes cleanly, no reset needed).</returns>
    private static async Task<bool> LingerAsync(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<IngestOptions>>().Value.Limits;
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        linger.CancelAfter(limits.RefusalLingerMs);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Nothing read yet (a declared length over the limit): the rest is only dropped.
            limit.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var left = (long)limits.RefusalLingerBytes;
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, linger.Token)) > 0)
            {
                if ((left -= read) < 0)
                {
                    return false;
                }
            }

            return true;
        }
        catch (IOException)
        {
            // The body cannot be read (over Kestrel's limit, broken framing): wait for the caller to close instead.
            await Task.Delay(Timeout.InfiniteTimeSpan, linger.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return false;
    }

    /// <summary>An unread remainder up to this is left for Kestrel to drain, keeping the connection.</summary>
    private const long DrainableBytes = 1024 * 1024;
}
