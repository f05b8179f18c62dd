using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CinematicSwitch.SchemaRegistry.Server.Rest;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>An answer of the registry's REST API, as an operator's tool sees it.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, string? ContentType, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public int ErrorCode => Json.GetProperty("error_code").GetInt32();

    public string Message => Json.GetProperty("message").GetString()!;
}

/// <summary>Plain HTTP against a registry, for the API's shapes and codes.</summary>
internal sealed class RawApi(string url) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(url.TrimEnd('/') + "/") };

    public static string SchemaBody(string schema, string? schemaType = null) =>
        schemaType is null ? JsonSerializer.Serialize(new { schema }) : JsonSerializer.Serialize(new { schema, schemaType });

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiResponse> PostAsync(string path, string json, string? contentType = RegistryMediaTypes.V1) =>
        SendAsync(HttpMethod.Post, path, json, contentType);

    public Task<ApiResponse> PutAsync(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);

    public async Task<int> RegisterAsync(string subject, string schema)
    {
        var response = await PostAsync($"subjects/{subject}/versions", SchemaBody(schema));
        Assert.True(response.Status == HttpStatusCode.OK, $"registration failed: {(int)response.Status} {response.Text}");
        return response.Json.GetProperty("id").GetInt32();
    }

    public void Dispose() => _http.Dispose();

    private async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? json = null, string? contentType = RegistryMediaTypes.V1)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            }
        }

        using var response = await _http.SendAsync(request);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Counts the requests a client sends (they still go over the network).</summary>
internal sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _count;

    public int Count => _count;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
