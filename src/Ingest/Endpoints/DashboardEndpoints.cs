using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Dashboard;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>
/// The spec's /dashboard/cinematic-switch page, its files and settings. Served without an API key: the page holds no
/// data, and asks for the key to call the API with.
/// </summary>
internal static class DashboardEndpoints
{
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapGet(DashboardPage.Route, PageAsync);
        app.MapGet($"{DashboardPage.Route}/settings.json", (DashboardPage page) => Results.Json(page.Settings, ApiJson.Options));
        app.MapGet($"{DashboardPage.Route}/{{file}}", (string file, HttpContext http) =>
            DashboardPage.Asset(file) is { } asset ? Serve(http, asset) : Results.NotFound());
        return app;
    }

    private static async Task<IResult> PageAsync(HttpContext http, DashboardPage page)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = await page.ContentSecurityPolicyAsync();
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return Serve(http, DashboardPage.Html);
    }

    private static IResult Serve(HttpContext http, DashboardAsset asset)
    {
        // Revalidated on every load (a 304 when unchanged), so a new version of the service never runs old script.
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
    }
}
