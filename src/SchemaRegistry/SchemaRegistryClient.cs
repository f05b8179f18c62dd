using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>
/// <see cref="ISchemaRegistryClient"/> over HTTP. Schemas by id, registrations and lookups are cached (an id
/// never changes meaning, and registering the same schema again returns the same id), so serializers and
/// deserializers reach the registry once per schema and subject. Thread-safe; one instance per process.
/// </summary>
public sealed class SchemaRegistryClient : ISchemaRegistryClient, IDisposable
{
    private const int MaxErrorBodyChars = 4096;
    private static readonly MediaTypeHeaderValue RequestMediaType = new(RegistryMediaTypes.V1);

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly AsyncCache<int, SchemaById> _byId;
    private readonly AsyncCache<(string Subject, string Schema), int> _registered;
    private readonly AsyncCache<(string Subject, string Schema), RegisteredSchema> _lookedUp;

    /// <param name="handler">The HTTP stack to send through; by default a pooled <see cref="SocketsHttpHandler"/>
    /// that renews its connections every few minutes (DNS changes are seen).</param>
    public SchemaRegistryClient(SchemaRegistryOptions options, ILogger<SchemaRegistryClient>? logger = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseUri = new Uri(options.Url.EndsWith('/') ? options.Url : options.Url + "/", UriKind.Absolute);
        _endpoint = baseUri.GetLeftPart(UriPartial.Path);
        _logger = logger ?? NullLogger<SchemaRegistryClient>.Instance;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromMilliseconds(options.ConnectTimeoutMs),
        })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs),
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(RegistryMediaTypes.V1));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(RegistryMediaTypes.Generic, 0.9));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(RegistryMediaTypes.Json, 0.5));
        if (!string.IsNullOrEmpty(options.BasicAuthUserInfo))
        {
            _http.DefaultRequestHeaders.Authorization =
                new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.BasicAuthUserInfo)));
        }

        _byId = new AsyncCache<int, SchemaById>(options.MaxCachedSchemas);
        _registered = new AsyncCache<(string, string), int>(options.MaxCachedSchemas);
        _lookedUp = new AsyncCache<(string, string), RegisteredSchema>(options.MaxCachedSchemas);
    }

    public Task<int> RegisterSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(schema);
        return _registered.GetOrLoadAsync((subject, schema), async key =>
        {
            var response = await PostSchemaAsync($"subjects/{Escape(key.Subject)}/versions", key.Schema, RegistryJson.Default.RegisterResponse,
                CancellationToken.None);
            _byId.Set(response.Id, new SchemaById(response.Id, key.Schema, "AVRO"));
            _logger.LogInformation("Schema registered under {Subject} with id {SchemaId} ({Length} characters)", key.Subject, response.Id, key.Schema.Length);
            return response.Id;
        }, cancellationToken);
    }

    public Task<RegisteredSchema> LookupSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(subject);
        ArgumentException.ThrowIfNullOrEmpty(schema);
        return _lookedUp.GetOrLoadAsync((subject, schema), async key =>
        {
            return ToRegistered(await PostSchemaAsync($"subjects/{Escape(key.Subject)}", key.Schema, RegistryJson.Default.SubjectSchemaResponse,
                CancellationToken.None));
        }, cancellationToken);
    }

    public Task<SchemaById> GetSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        _byId.GetOrLoadAsync(id, async key =>
        {
            var response = await SendAsync(HttpMethod.Get, $"schemas/ids/{key}", null, RegistryJson.Default.SchemaByIdResponse, CancellationToken.None);
            return new SchemaById(key, response.Schema, response.SchemaType ?? "AVRO");
        }, cancellationToken);

    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject, CancellationToken cancellationToken = default) =>
        GetVersionAsync(subject, "latest", cancellationToken);

    public Task<RegisteredSchema> GetSchemaAsync(string subject, int version, CancellationToken cancellationToken = default) =>
        GetVersionAsync(subject, version.ToString(), cancellationToken);

    public async Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, "subjects", null, RegistryJson.Default.ListString, cancellationToken);

    public async Task<IReadOnlyList<int>> GetVersionsAsync(string subject, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions", null, RegistryJson.Default.ListInt32, cancellationToken);

    public async Task<CompatibilityCheck> CheckCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        var response = await PostSchemaAsync($"compatibility/subjects/{Escape(subject)}/versions/latest?verbose=true", schema,
            RegistryJson.Default.CompatibilityResponse, cancellationToken);
        return new CompatibilityCheck(response.IsCompatible, response.Messages ?? []);
    }

    public async Task<CompatibilityLevel> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}?defaultToGlobal=true";
        var response = await SendAsync(HttpMethod.Get, path, null, RegistryJson.Default.ConfigResponse, cancellationToken);
        return CompatibilityLevels.TryParse(response.CompatibilityLevel, out var level)
            ? level
            : throw new SchemaRegistryException($"Schema registry {_endpoint} answered an unknown compatibility level '{response.CompatibilityLevel}'.");
    }

    public async Task SetCompatibilityAsync(string? subject, CompatibilityLevel level, CancellationToken cancellationToken = default)
    {
        var path = subject is null ? "config" : $"config/{Escape(subject)}";
        await SendAsync(HttpMethod.Put, path,
            JsonContent.Create(new ConfigUpdate(CompatibilityLevels.ToName(level)), RegistryJson.Default.ConfigUpdate, RequestMediaType),
            RegistryJson.Default.ConfigUpdate, cancellationToken);
    }

    public async Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent = false, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Delete, $"subjects/{Escape(subject)}{(permanent ? "?permanent=true" : "")}", null,
            RegistryJson.Default.ListInt32, cancellationToken);

    public void Dispose() => _http.Dispose();

    private async Task<RegisteredSchema> GetVersionAsync(string subject, string version, CancellationToken cancellationToken) =>
        ToRegistered(await SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/{version}", null,
            RegistryJson.Default.SubjectSchemaResponse, cancellationToken));

    private static RegisteredSchema ToRegistered(SubjectSchemaResponse response) =>
        new(response.Subject, response.Version, response.Id, response.Schema, response.SchemaType ?? "AVRO");

    private Task<T> PostSchemaAsync<T>(string path, string schema, JsonTypeInfo<T> responseType, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, JsonContent.Create(new SchemaRequest(schema), RegistryJson.Default.SchemaRequest, RequestMediaType),
            responseType, cancellationToken);

    private static string Escape(string subject) => Uri.EscapeDataString(subject);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> responseType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(method, path, response, cancellationToken);
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await JsonSerializer.DeserializeAsync(body, responseType, cancellationToken)
                ?? throw new HttpRequestException($"Schema registry {_endpoint} answered {method} {Shown(path)} with an empty body.");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Schema registry {_endpoint} did not answer {method} {Shown(path)} within {_http.Timeout.TotalMilliseconds} ms.", e);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new HttpRequestException($"Schema registry {_endpoint} is unreachable ({method} {Shown(path)}): {e.Message}", e, e.StatusCode);
        }
        catch (JsonException e)
        {
            throw new HttpRequestException($"Schema registry {_endpoint} answered {method} {Shown(path)} with a body that is not the API's JSON: {e.Message}", e);
        }
    }

    /// <summary>Client errors become <see cref="SchemaRegistryException"/>; server errors stay retriable HTTP errors.</summary>
    private async Task<Exception> ErrorAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        ErrorResponse? error = null;
        try
        {
            error = JsonSerializer.Deserialize(text, RegistryJson.Default.ErrorResponse);
        }
        catch (JsonException)
        {
            // Not the API's error shape (a proxy's page, say): the status and the start of the body are reported.
        }

        var status = response.StatusCode;
        var code = error?.ErrorCode ?? (int)status;
        var detail = error?.Message ?? (text.Length > MaxErrorBodyChars ? text[..MaxErrorBodyChars] : text);
        var message = $"Schema registry {_endpoint} refused {method} {Shown(path)}: HTTP {(int)status}, error {code}: {detail}";
        var retriable = (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
        return retriable ? new HttpRequestException(message, null, status) : new SchemaRegistryException(status, code, message);
    }

    // Paths carry subject names and ids only; the query string (flags) is kept out of messages.
    private static string Shown(string path)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        return "/" + (query < 0 ? path : path[..query]);
    }
}
