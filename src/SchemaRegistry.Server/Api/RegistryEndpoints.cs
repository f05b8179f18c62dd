using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CinematicSwitch.SchemaRegistry.Server.Rest;
using CinematicSwitch.SchemaRegistry.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CinematicSwitch.SchemaRegistry.Server.Api;

/// <summary>The Confluent Schema Registry REST API (v1) over <see cref="SchemaStore"/>.</summary>
internal static class RegistryEndpoints
{
    private static readonly List<string> SchemaTypes = ["AVRO"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Text("{}", RegistryMediaTypes.V1));
        app.MapGet("/schemas/types", () => Json(SchemaTypes, RegistryJson.Default.ListString));

        // Schemas by global id.
        app.MapGet("/schemas/ids/{id:int}", (int id, SchemaStore store) => Json(store.State.SchemaById(id), RegistryJson.Default.SchemaByIdResponse));
        app.MapGet("/schemas/ids/{id:int}/schema", (int id, SchemaStore store) => Raw(store.State.SchemaById(id).Schema));
        app.MapGet("/schemas/ids/{id:int}/versions", (int id, HttpRequest request, SchemaStore store) =>
            Json(store.State.UsesOf(id, Flag(request, "deleted")), RegistryJson.Default.ListSubjectVersion));
        app.MapGet("/schemas/ids/{id:int}/subjects", (int id, HttpRequest request, SchemaStore store) =>
            Json(store.State.UsesOf(id, Flag(request, "deleted")).Select(u => u.Subject).Distinct().ToList(), RegistryJson.Default.ListString));

        // Subjects and their versions.
        app.MapGet("/subjects", (HttpRequest request, SchemaStore store) =>
            Json(store.State.Subjects(Flag(request, "deleted"), request.Query["subjectPrefix"].FirstOrDefault()), RegistryJson.Default.ListString));
        app.MapGet("/subjects/{subject}/versions", (string subject, HttpRequest request, SchemaStore store) =>
            Json(store.State.Versions(subject, Flag(request, "deleted")), RegistryJson.Default.ListInt32));
        app.MapGet("/subjects/{subject}/versions/{version}", (string subject, string version, HttpRequest request, SchemaStore store) =>
            Json(store.State.Version(subject, version, Flag(request, "deleted")), RegistryJson.Default.SubjectSchemaResponse));
        app.MapGet("/subjects/{subject}/versions/{version}/schema", (string subject, string version, HttpRequest request, SchemaStore store) =>
            Raw(store.State.Version(subject, version, Flag(request, "deleted")).Schema));
        app.MapGet("/subjects/{subject}/versions/{version}/referencedby", (string subject, string version, SchemaStore store) =>
        {
            // References are not supported, so nothing refers to any version; the version must still exist.
            store.State.Version(subject, version, includeDeleted: false);
            return Json(new List<int>(), RegistryJson.Default.ListInt32);
        });
        app.MapPost("/subjects/{subject}/versions", async (string subject, HttpRequest request, SchemaStore store) =>
        {
            var body = await BodyAsync(request, RegistryJson.Default.SchemaRequest);
            var id = await store.ChangeAsync(state => state.Register(subject, body), request.HttpContext.RequestAborted);
            return Json(new RegisterResponse(id), RegistryJson.Default.RegisterResponse);
        });
        app.MapPost("/subjects/{subject}", async (string subject, HttpRequest request, SchemaStore store) =>
        {
            var body = await BodyAsync(request, RegistryJson.Default.SchemaRequest);
            return Json(store.State.Lookup(subject, body, Flag(request, "deleted")), RegistryJson.Default.SubjectSchemaResponse);
        });
        app.MapDelete("/subjects/{subject}", async (string subject, HttpRequest request, SchemaStore store) =>
            Json(await store.ChangeAsync(state => state.DeleteSubject(subject, Flag(request, "permanent")), request.HttpContext.RequestAborted),
                RegistryJson.Default.ListInt32));
        app.MapDelete("/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request, SchemaStore store) =>
            Json(await store.ChangeAsync(state => state.DeleteVersion(subject, version, Flag(request, "permanent")), request.HttpContext.RequestAborted),
                RegistryJson.Default.Int32));

        // Compatibility checks.
        app.MapPost("/compatibility/subjects/{subject}/versions/{version}", async (string subject, string version, HttpRequest request, SchemaStore store) =>
        {
            var body = await BodyAsync(request, RegistryJson.Default.SchemaRequest);
            return Json(store.State.CheckCompatibility(subject, version, body, Flag(request, "verbose")), RegistryJson.Default.CompatibilityResponse);
        });
        app.MapPost("/compatibility/subjects/{subject}/versions", async (string subject, HttpRequest request, SchemaStore store) =>
        {
            var body = await BodyAsync(request, RegistryJson.Default.SchemaRequest);
            return Json(store.State.CheckCompatibility(subject, null, body, Flag(request, "verbose")), RegistryJson.Default.CompatibilityResponse);
        });

        // Compatibility levels and modes, global (no subject) and per subject.
        MapSetting(app, "/config",
            (state, subject, request) => Json(new ConfigResponse(state.Compatibility(subject, Flag(request, "defaultToGlobal"))), RegistryJson.Default.ConfigResponse),
            async (store, subject, request) =>
            {
                var body = await BodyAsync(request, RegistryJson.Default.ConfigUpdate);
                var level = await store.ChangeAsync(_ => RegistryState.SetCompatibility(subject, body.Compatibility), request.HttpContext.RequestAborted);
                return Json(new ConfigUpdate(level), RegistryJson.Default.ConfigUpdate);
            },
            async (store, subject, request) => Json(new ConfigResponse(
                await store.ChangeAsync(state => state.DeleteCompatibility(subject), request.HttpContext.RequestAborted)), RegistryJson.Default.ConfigResponse));
        MapSetting(app, "/mode",
            (state, subject, request) => Json(new ModeBody(state.Mode(subject, Flag(request, "defaultToGlobal"))), RegistryJson.Default.ModeBody),
            async (store, subject, request) =>
            {
                var body = await BodyAsync(request, RegistryJson.Default.ModeBody);
                return Json(new ModeBody(await store.ChangeAsync(_ => RegistryState.SetMode(subject, body.Mode), request.HttpContext.RequestAborted)),
                    RegistryJson.Default.ModeBody);
            },
            async (store, subject, request) => Json(new ModeBody(
                await store.ChangeAsync(state => state.DeleteMode(subject), request.HttpContext.RequestAborted)), RegistryJson.Default.ModeBody));
    }

    /// <summary>Answers an unknown path as the registry does.</summary>
    public static Task NotFoundAsync(HttpContext context) =>
        WriteErrorAsync(context, StatusCodes.Status404NotFound, StatusCodes.Status404NotFound, "HTTP 404 Not Found");

    public static async Task WriteErrorAsync(HttpContext context, int status, int errorCode, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = RegistryMediaTypes.V1;
        await JsonSerializer.SerializeAsync(context.Response.Body, new ErrorResponse(errorCode, message), RegistryJson.Default.ErrorResponse,
            context.RequestAborted);
    }

    /// <summary>GET, PUT and DELETE of a setting at <paramref name="path"/> (global) and <paramref name="path"/>/{subject}.</summary>
    private static void MapSetting(
        IEndpointRouteBuilder app,
        string path,
        Func<RegistryState, string?, HttpRequest, IResult> get,
        Func<SchemaStore, string?, HttpRequest, Task<IResult>> put,
        Func<SchemaStore, string?, HttpRequest, Task<IResult>> delete)
    {
        app.MapGet(path, (HttpRequest request, SchemaStore store) => get(store.State, null, request));
        app.MapPut(path, (HttpRequest request, SchemaStore store) => put(store, null, request));
        app.MapDelete(path, (HttpRequest request, SchemaStore store) => delete(store, null, request));
        app.MapGet(path + "/{subject}", (string subject, HttpRequest request, SchemaStore store) => get(store.State, subject, request));
        app.MapPut(path + "/{subject}", (string subject, HttpRequest request, SchemaStore store) => put(store, subject, request));
        app.MapDelete(path + "/{subject}", (string subject, HttpRequest request, SchemaStore store) => delete(store, subject, request));
    }

    private static JsonHttpResult<T> Json<T>(T value, JsonTypeInfo<T> type) => TypedResults.Json(value, type, RegistryMediaTypes.V1);

    private static ContentHttpResult Raw(string schema) => TypedResults.Text(schema, RegistryMediaTypes.V1);

    private static bool Flag(HttpRequest request, string name) => bool.TryParse(request.Query[name].FirstOrDefault(), out var value) && value;

    /// <summary>The body as JSON whatever its declared content type (clients send v1+json, json, or none).</summary>
    private static async Task<T> BodyAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted)
                ?? throw RegistryError.BadRequest("The request body is empty.");
        }
        catch (JsonException e)
        {
            throw RegistryError.BadRequest($"The request body is not valid JSON: {e.Message}");
        }
    }
}
