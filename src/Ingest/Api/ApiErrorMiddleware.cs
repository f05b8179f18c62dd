using CinematicSwitch.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace CinematicSwitch.Ingest.Api;

/// <summary>Turns refusals, and anything unexpected, into the service spec's error JSON.</summary>
internal sealed partial class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
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
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            // The caller went away mid-request; there is nobody to answer.
            LogAborted(context.Request.Method, context.Request.Path);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // A malformed or truncated body (e.g. the upload ended before its declared length).
            LogBadRequest(context.Request.Method, context.Request.Path, e.StatusCode);
            await ApiJson.WriteErrorAsync(context,
                Problems.Body(ApiErrors.InvalidInput, UserMessages.MediaUpload, StatusCodes.Status400BadRequest, ("reason", "The request body could not be read.")));
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnexpected(e, context.Request.Method, context.Request.Path);
            await ApiJson.WriteErrorAsync(context,
                Problems.Body(ApiErrors.InternalError, UserMessages.InternalError, StatusCodes.Status500InternalServerError));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: the caller aborted the request")]
    private partial void LogAborted(string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path}: unexpected failure")]
    private partial void LogUnexpected(Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path}: unreadable request body (HTTP {Status})")]
    private partial void LogBadRequest(string method, string path, int status);
}
