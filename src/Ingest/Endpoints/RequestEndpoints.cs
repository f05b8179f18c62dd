using System.Globalization;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tenancy;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>GET /requests, GET /requests/{id} and GET /credits: answered from the projection of the topics, for the calling tenant only.</summary>
internal static partial class RequestEndpoints
{
    public const int DefaultRecentLimit = 20;
    public const int MaxRecentLimit = 100;

    public static RouteGroupBuilder MapRequests(this RouteGroupBuilder api)
    {
        api.MapGet("/requests", GetRecentAsync);
        api.MapGet("/requests/{id}", GetStatusAsync);
        api.MapGet("/credits", GetCredits);
        return api;
    }

    /// <summary>The tenant's latest requests, newest first: <c>?limit=</c> 1 to <see cref="MaxRecentLimit"/>.</summary>
    private static async Task<IResult> GetRecentAsync(string? limit, HttpContext http, RequestStatusStore statuses, StatusViews views)
    {
        var count = DefaultRecentLimit;
        if (limit is not null && !(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= MaxRecentLimit))
        {
            throw Problems.InvalidValue("limit", $"limit must be a whole number from 1 to {MaxRecentLimit}.");
        }

        var caller = http.Caller();
        return Results.Json(await views.RecentAsync(caller.TenantId, statuses.Recent(caller.TenantId, count)), ApiJson.Options);
    }

    private static async Task<IResult> GetStatusAsync(string id, HttpContext http, RequestStatusStore statuses, StatusViews views, ILoggerFactory loggers)
    {
        var caller = http.Caller();
        // Another tenant's request is answered exactly like an id that does not exist.
        var state = Guid.TryParse(id, out var requestId) ? statuses.Get(requestId, caller.TenantId) : null;
        LogStatus(loggers.CreateLogger(typeof(RequestEndpoints)), caller.TenantId, id.Length > 36 ? id[..36] : id, state?.Phase.ToString() ?? "not found");
        return state is null
            ? throw Problems.NotFound()
            : Results.Json(await views.StatusAsync(state), ApiJson.Options);
    }

    private static IResult GetCredits(HttpContext http, CreditsLedger ledger)
    {
        var caller = http.Caller();
        return Results.Json(StatusViews.Credits(caller.TenantId, ledger.Read(caller.TenantId)), ApiJson.Options);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "GET /requests/{RequestId} tenant {TenantId}: {Status}")]
    private static partial void LogStatus(ILogger logger, string tenantId, string requestId, string status);
}
