using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>
/// One simulated provider on its own loopback port: the provider's API (by the subclass), its auth check, the media it
/// serves, and the control API under /_sim: GET/DELETE /_sim/jobs, GET /_sim/requests, POST/GET/DELETE /_sim/faults,
/// PUT /_sim/latency.
/// </summary>
public abstract class ProviderSimulator : IAsyncDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private WebApplication? app;
    private long latencyTicks;

    protected ProviderSimulator(string apiKey, TimeSpan latency, MediaStore media, bool acceptLoopbackOrigins)
    {
        ApiKey = apiKey;
        Latency = latency;
        Media = media;
        Assets = new Assets(acceptLoopbackOrigins);
        Webhooks = new WebhookSender(Clock);
    }

    public abstract string Provider { get; }

    /// <summary>The base URL a client is configured with (origin plus the API's path prefix, before "v1/").</summary>
    public Uri BaseUrl => new(Origin, ApiPrefix.TrimStart('/') + (ApiPrefix.Length > 0 ? "/" : ""));

    /// <summary>The simulator's own origin, which serves its output media too.</summary>
    public Uri Origin { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The only key the simulator accepts.</summary>
    public string ApiKey { get; }

    /// <summary>Time from a job's creation to its completion.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref latencyTicks));
        set => Interlocked.Exchange(ref latencyTicks, value.Ticks);
    }

    public FaultPlan Faults { get; } = new();

    public JobLedger Ledger { get; } = new();

    protected MediaStore Media { get; }

    /// <summary>Uploaded inputs and the rules media references must follow.</summary>
    public Assets Assets { get; }

    /// <summary>The simulator's clock (moved on by POST /_sim/clock).</summary>
    public SimClock Clock { get; } = new();

    protected TimeProvider Time => Clock;

    /// <summary>Path before "/v1" ("" or "/api/rest").</summary>
    protected virtual string ApiPrefix => "";

    /// <summary>Every job created so far, in creation order.</summary>
    public IReadOnlyList<SimJobRecord> Jobs
    {
        get
        {
            var now = Time.GetUtcNow();
            return Ledger.Jobs.Select(j => new SimJobRecord(j.Id, Provider, j.Model, j.Operation, j.Prompt, j.InputBytes, j.Seed, j.CreatedAt,
                j.EndedAt(now), j.CanceledAt, j.PhaseAt(now).ToString(), j.Outputs)).ToList();
        }
    }

    public IReadOnlyList<SimRequestRecord> Requests => Ledger.Requests;

    /// <summary>The webhooks this simulator sends when jobs end (for providers that have them).</summary>
    public WebhookSender Webhooks { get; }

    /// <summary>Forgets jobs, requests, uploads and faults, and puts the clock back.</summary>
    public void Reset()
    {
        Ledger.Clear();
        Faults.Clear();
        Assets.Clear();
        Webhooks.Reset();
        Clock.Reset();
    }

    internal async Task StartAsync(string host, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Parse(host), port));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        app = builder.Build();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            var api = path.StartsWith(ApiPrefix + "/v1/", StringComparison.Ordinal);
            if (api && !Authorized(context.Request))
            {
                await Unauthorized().ExecuteAsync(context);
            }
            else
            {
                await next(context);
            }

            if (!path.StartsWith("/_sim", StringComparison.Ordinal) && !path.StartsWith("/media", StringComparison.Ordinal))
            {
                Ledger.Log(new SimRequestRecord(context.Request.Method, path, context.Response.StatusCode, Time.GetUtcNow()));
            }
        });
        MapControl(app);
        MapMedia(app);
        MapApi(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Origin = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    protected abstract void MapApi(WebApplication app);

    /// <summary>The provider's answer to a missing or wrong key.</summary>
    protected abstract IResult Unauthorized();

    protected virtual bool Authorized(HttpRequest request) => request.Headers.Authorization.ToString() == $"Bearer {ApiKey}";

    protected string MediaUrl(string relativePath) => new Uri(Origin, relativePath).ToString();

    protected static IResult JsonResult(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Content(body.ToJsonString(), "application/json", null, status);

    /// <summary>A 2xx whose body is cut off mid-document.</summary>
    protected static IResult Malformed(int status = StatusCodes.Status200OK) => Results.Content("{\"id\": \"", "application/json", null, status);

    /// <summary>A 429 with Retry-After, or without it when <paramref name="seconds"/> is 0 (the client then backs off on its own).</summary>
    protected static IResult WithRetryAfter(IResult result, int seconds) => seconds > 0 ? new RetryAfterResult(result, seconds) : result;

    /// <summary>The request body as a JSON object; null when it is not one.</summary>
    protected static async Task<JsonObject?> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Bytes of a data URI's payload, else the URL's length (the simulator never fetches remote media).</summary>
    protected static long InputSize(string? uri)
    {
        if (uri is null)
        {
            return 0;
        }

        var comma = uri.IndexOf(',', StringComparison.Ordinal);
        return uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && comma > 0 ? (uri.Length - comma - 1) * 3L / 4 : uri.Length;
    }

    protected static string? Text(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    protected static long? Number(JsonNode? node, string property) =>
        node is JsonObject obj && obj[property] is JsonValue value && value.TryGetValue<double>(out var number) && number == Math.Floor(number) ? (long)number : null;

    /// <summary>Warms the cache with the media a job will return, so that fetching it is quick.</summary>
    protected static void Prepare(Func<Task> warm) => _ = Task.Run(async () =>
    {
        try
        {
            await warm();
        }
        catch (InvalidOperationException)
        {
            // Fetching the media will report the problem.
        }
    });

    private void MapControl(WebApplication web)
    {
        web.MapGet("/_sim/jobs", () => Results.Json(Jobs, Json));
        web.MapDelete("/_sim/jobs", () =>
        {
            Reset();
            return Results.NoContent();
        });
        web.MapGet("/_sim/requests", () => Results.Json(Requests, Json));
        web.MapGet("/_sim/faults", () => Results.Json(Faults.Rules, Json));
        web.MapPost("/_sim/faults", async (HttpRequest request) =>
        {
            try
            {
                var rule = await JsonSerializer.DeserializeAsync<FaultRule>(request.Body, Json);
                if (rule is null)
                {
                    return Results.BadRequest();
                }

                Faults.Add(rule);
                return Results.Json(rule, Json, statusCode: StatusCodes.Status201Created);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { error = ex.Message });
            }
        });
        web.MapDelete("/_sim/faults", () =>
        {
            Faults.Clear();
            return Results.NoContent();
        });
        web.MapPut("/_sim/latency", async (HttpRequest request) =>
        {
            var body = await ReadObjectAsync(request);
            if (Number(body, "milliseconds") is not { } ms || ms < 0)
            {
                return Results.BadRequest(new { error = "expected {\"milliseconds\": n}" });
            }

            Latency = TimeSpan.FromMilliseconds(ms);
            return Results.NoContent();
        });
        web.MapPost("/_sim/clock", async (HttpRequest request) =>
        {
            var body = await ReadObjectAsync(request);
            if (Number(body, "advanceSeconds") is not { } seconds || seconds < 0)
            {
                return Results.BadRequest(new { error = "expected {\"advanceSeconds\": n}" });
            }

            Clock.Advance(TimeSpan.FromSeconds(seconds));
            return Results.Ok(new { now = Time.GetUtcNow() });
        });
        web.MapGet("/_sim/webhooks", () => Results.Json(Webhooks.Deliveries, Json));
        web.MapGet("/_sim/health", () => Results.Ok(new { provider = Provider, baseUrl = BaseUrl.ToString() }));
    }

    private void MapMedia(WebApplication web)
    {
        web.MapGet("/media/image/{width:int}/{height:int}/{format}/{name}", async (int width, int height, string format) =>
            width is > 0 and <= 4096 && height is > 0 and <= 4096 && format is "png" or "jpg" or "webp"
                ? Results.Bytes(await Media.ImageAsync(width, height, format), MediaStore.ContentType(format))
                : Results.NotFound());
        web.MapGet("/media/video/{width:int}/{height:int}/{seconds:int}/{name}", async (int width, int height, int seconds) =>
            width is > 0 and <= 4096 && height is > 0 and <= 4096 && seconds is > 0 and <= 60
                ? Results.Bytes(await Media.VideoAsync(width, height, seconds), "video/mp4")
                : Results.NotFound());
        web.MapGet("/media/loop/{width:int}/{height:int}/{seconds:int}/{name}", async (int width, int height, int seconds) =>
            width is > 0 and <= 4096 && height is > 0 and <= 4096 && seconds is > 0 and <= 60
                ? Results.Bytes(await Media.LoopVideoAsync(width, height, seconds), "video/mp4")
                : Results.NotFound());
    }

    public async ValueTask DisposeAsync()
    {
        Webhooks.Dispose();
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
