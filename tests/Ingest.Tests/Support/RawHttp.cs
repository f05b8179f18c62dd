using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>How a raw request's connection ends once its bytes are sent.</summary>
internal enum RawEnding
{
    /// <summary>Wait for the answer with the connection open.</summary>
    Open,

    /// <summary>Shut the sending side (FIN) and wait for the answer: the body ends where the bytes end.</summary>
    HalfClose,

    /// <summary>Reset the connection (RST): the caller went away.</summary>
    Reset,
}

/// <summary>An HTTP answer as it came off the wire; <see cref="Status"/> 0 when the connection closed without one.</summary>
/// <param name="Complete">False when the connection closed before the whole answer arrived.</param>
internal sealed record RawAnswer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body, bool Complete = true)
{
    public static readonly RawAnswer None = new(0, new Dictionary<string, string>(), [], Complete: false);

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// HTTP/1.1 over a plain socket, for requests no HTTP client would send: broken framing, control characters in headers,
/// bodies cut short or reset. Reads one answer (skipping interim 1xx), framed by Content-Length, chunked, or the close.
/// </summary>
internal static class RawHttp
{
    public static async Task<RawAnswer> SendAsync(IPEndPoint endpoint, byte[] request, int sendBytes, RawEnding ending, CancellationToken cancellationToken)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint, cancellationToken);
        try
        {
            await socket.SendAsync(request.AsMemory(0, sendBytes), SocketFlags.None, cancellationToken);
        }
        catch (SocketException)
        {
            // The server answered early and closed: its answer may still be there to read.
        }

        switch (ending)
        {
            case RawEnding.Reset:
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
                return RawAnswer.None;
            case RawEnding.HalfClose:
                try
                {
                    socket.Shutdown(SocketShutdown.Send);
                }
                catch (SocketException)
                {
                }

                break;
        }

        return await ReadAnswerAsync(socket, cancellationToken);
    }

    /// <summary>Reads one answer from <paramref name="socket"/>: until it is complete or the connection closes.</summary>
    public static async Task<RawAnswer> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            if (TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: false) is { } answer)
            {
                return answer;
            }

            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0)
            {
                return TryParse(received.GetBuffer().AsSpan(0, (int)received.Length), closed: true) ?? RawAnswer.None;
            }

            received.Write(buffer, 0, read);
        }
    }

    /// <summary>The first final answer in <paramref name="data"/>, or null while it is incomplete.</summary>
    private static RawAnswer? TryParse(ReadOnlySpan<byte> data, bool closed)
    {
        while (true)
        {
            var end = data.IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                return null;
            }

            var head = Encoding.Latin1.GetString(data[..end]).Split("\r\n");
            var status = head[0].Split(' ') is [_, var code, ..] && int.TryParse(code, out var s) ? s : -1;
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            var body = data[(end + 4)..];
            if (status is >= 100 and < 200)
            {
                data = body;
                continue;
            }

            if (headers.TryGetValue("Content-Length", out var length) && int.TryParse(length, out var n))
            {
                return body.Length >= n ? new RawAnswer(status, headers, body[..n].ToArray())
                    : closed ? new RawAnswer(status, headers, body.ToArray(), Complete: false)
                    : null;
            }

            if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                return Dechunk(body) is { } content ? new RawAnswer(status, headers, content)
                    : closed ? new RawAnswer(status, headers, [], Complete: false)
                    : null;
            }

            return closed || status is 204 or 304 ? new RawAnswer(status, headers, body.ToArray()) : null;
        }
    }

    private static byte[]? Dechunk(ReadOnlySpan<byte> body)
    {
        var content = new MemoryStream();
        while (true)
        {
            var line = body.IndexOf("\r\n"u8);
            if (line < 0)
            {
                return null;
            }

            var sizeText = Encoding.ASCII.GetString(body[..line]).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            body = body[(line + 2)..];
            if (size == 0)
            {
                return content.ToArray();
            }

            if (body.Length < size + 2)
            {
                return null;
            }

            content.Write(body[..size]);
            body = body[(size + 2)..];
        }
    }
}
