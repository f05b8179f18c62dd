using System.Text.Json;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>One server-sent event: its type and its data, parsed as JSON.</summary>
internal sealed record ServerSentEvent(string Type, JsonElement Data);

/// <summary>A text/event-stream response read event by event, as a browser's reader would; comments are counted, not returned.</summary>
internal sealed class EventStream(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public HttpResponseMessage Response => response;

    /// <summary>Comment lines (": heartbeat") read so far.</summary>
    public int Comments { get; private set; }

    public static async Task<EventStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        return new EventStream(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    /// <summary>The next event, or null when the server ended the stream; fails if nothing comes within <paramref name="timeout"/>.</summary>
    public async Task<ServerSentEvent?> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        string? type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    return new ServerSentEvent(type ?? "message", JsonDocument.Parse(string.Join('\n', data)).RootElement.Clone());
                }
            }
            else if (line.StartsWith(':'))
            {
                Comments++;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }

        return null;
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
