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

    /// <summary>
    /// Reads until <paramref name="count"/> comments in all have been read, and fails if an event's line comes first or
    /// the comments do not come within <paramref name="timeout"/> (a cancelled read ends the connection).
    /// </summary>
    public async Task WaitForCommentsAsync(int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (Comments < count)
        {
            var line = await reader.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException("The server ended the stream.");
            if (line.StartsWith(':'))
            {
                Comments++;
            }
            else if (line.Length > 0)
            {
                throw new InvalidOperationException($"An event came before {count} comments: {line}");
            }
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}
