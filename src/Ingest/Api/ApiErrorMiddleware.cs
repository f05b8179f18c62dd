using CinematicSwitch.Contracts;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace CinematicSwitch.Ingest.Api;

/// <summary>
/// Turns refusals, unreadable bodies and routing's bodiless 404 and 405 into the service spec's error JSON, and anything
/// unexpected into a 500 of the same shape. A caller that went away gets no answer and is not an error.
/// </summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
            {
                await ApiJson.WriteErrorAsync(context, Problems.Routing(context.Response.StatusCode));
            }
        }
        catch (Exception e) when (IsCallerGone(context, e))
        {
            LogAborted(context.Request.Method, context.Request.Path);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await ApiJson.WriteErrorAsync(context, e.Error);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
        {
            // Kestrel's own ceiling (MaxRequestBodySize): a body larger than any valid request.
            var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0;
            await ApiJson.WriteErrorAsync(context, Problems.TooLarge(limit, "request body").Error);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // A malformed or truncated body (the upload ended before its declared length, a bad chunk, too slow).
            LogBadRequest(context.Request.Method, context.Request.Path, e.StatusCode, BodyProgress.ReadSoFar(context));
            var tooSlow = e.StatusCode == StatusCodes.Status408RequestTimeout;
            await ApiJson.WriteErrorAsync(context, Problems.Body(ApiErrors.InvalidInput, UserMessages.MediaUpload,
                tooSlow ? StatusCodes.Status408RequestTimeout : StatusCodes.Status400BadRequest,
                ("reason", tooSlow ? "The request body arrived too slowly." : "The request body could not be read."), ("position", BodyProgress.ReadSoFar(context))));
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnexpected(e, context.Request.Method, context.Request.Path);
            await ApiJson.WriteErrorAsync(context,
                Problems.Body(ApiErrors.InternalError, UserMessages.InternalError, StatusCodes.Status500InternalServerError));
        }
    }

    /// <summary>The caller disconnected mid-request (a reset, or gone while its body was read): there is nobody to answer.</summary>
    private static bool IsCallerGone(HttpContext context, Exception e) =>
        e is ConnectionResetException || (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the caller aborted the request")]
    private partial void LogAborted(string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path}: unexpected failure")]
    private partial void LogUnexpected(Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: unreadable request body (HTTP {Status}) after {Position} bytes")]
    private partial void LogBadRequest(string method, string path, int status, long position);
}
