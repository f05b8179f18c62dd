using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CinematicSwitch.Contracts.Benchmarks;

/// <summary>
/// A registry on loopback that knows one schema, under id 1: it answers a registration with that id and the id with
/// the schema. Confluent's client and serdes cache both, so the benchmark reaches it during setup only and measures
/// the cached path the services run, through the real client.
/// </summary>
internal sealed class StubRegistry : IDisposable
{
    public const int Id = 1;

    private readonly HttpListener _listener = new();
    private readonly byte[] _registered = Encoding.UTF8.GetBytes($$"""{"id":{{Id}}}""");
    private readonly byte[] _byId;

    public StubRegistry(string schema)
    {
        _byId = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["schema"] = schema });
        Url = $"http://127.0.0.1:{FreePort()}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = ServeAsync();
    }

    public string Url { get; }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (HttpListenerException)
            {
                return;
            }

            var body = context.Request.HttpMethod == "POST" ? _registered : _byId;
            context.Response.ContentType = "application/vnd.schemaregistry.v1+json";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
