using System.Text;
using System.Text.Json;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tenancy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>
/// GET /requests/{id}/events: the request's status view (as GET /requests/{id} answers it) as server-sent events, one
/// "status" event now and one whenever the projection changes the request, ending after a completed or failed one.
/// Tenant-scoped like GET /requests/{id}: another tenant's id is a 404 before the stream starts.
/// </summary>
internal static partial class RequestEventsEndpoints
{
    private const string EventName = "status";

    private static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    public static RouteGroupBuilder MapRequestEvents(this RouteGroupBuilder api)
    {
        api.MapGet("/requests/{id}/events", StreamAsync);
        return api;
    }

    private static async Task StreamAsync(string id, HttpContext http, RequestStatusStore statuses, StatusViews views, IOptions<IngestOptions> options,
        IHostApplicationLifetime lifetime, TimeProvider time, ILoggerFactory loggers)
    {
        var caller = http.Caller();
        var seen = (Guid.TryParse(id, out var requestId) ? statuses.Observe(requestId, caller.TenantId) : null) ?? throw Problems.NotFound();
        var logger = loggers.CreateLogger(typeof(RequestEventsEndpoints));
        var heartbeat = TimeSpan.FromSeconds(options.Value.Status.EventsHeartbeatSeconds);
        var started = time.GetTimestamp();
        var sent = 0;
        var ending = "client disconnected";

        // Shutdown ends the stream too (the client reconnects to another instance) rather than holding the host's
        // graceful stop for as long as the request runs.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // nginx buffers proxied responses unless told otherwise, which would hold every event back.
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        LogStarted(logger, caller.TenantId, requestId, seen.State.Phase.ToString());
        try
        {
            while (true)
            {
                await WriteStatusAsync(response, await views.StatusAsync(seen.State), stop.Token);
                sent++;
                if (seen.State.IsTerminal)
                {
                    ending = seen.State.Phase.ToString();
                    break;
                }

                while (!seen.Changed.IsCompleted)
                {
                    try
                    {
                        await seen.Changed.WaitAsync(heartbeat, stop.Token);
                    }
                    catch (TimeoutException)
                    {
                        await response.Body.WriteAsync(Heartbeat, stop.Token);
                        await response.Body.FlushAsync(stop.Token);
                    }
                }

                // The latest state, not the one that woke us: changes in quick succession are sent as one.
                if (statuses.Observe(requestId, caller.TenantId) is not { } latest)
                {
                    ending = "request no longer known";
                    break;
                }

                seen = latest;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (!http.RequestAborted.IsCancellationRequested)
            {
                ending = "shutting down";
            }
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away while an event was being written.
        }
        finally
        {
            LogEnded(logger, caller.TenantId, requestId, sent, (long)time.GetElapsedTime(started).TotalMilliseconds, ending);
        }
    }

    private static async Task WriteStatusAsync(HttpResponse response, StatusResponse status, CancellationToken cancellationToken)
    {
        // Compact JSON has no line breaks, so the view is one "data:" line.
        var json = JsonSerializer.Serialize(status, ApiJson.Options);
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes($"event: {EventName}\ndata: {json}\n\n"), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GET /requests/{RequestId}/events tenant {TenantId}: streaming from {Status}")]
    private static partial void LogStarted(ILogger logger, string tenantId, Guid requestId, string status);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "GET /requests/{RequestId}/events tenant {TenantId}: {Events} events in {ElapsedMs} ms, ended: {Ending}")]
    private static partial void LogEnded(ILogger logger, string tenantId, Guid requestId, int events, long elapsedMs, string ending);
}
