using Microsoft.AspNetCore.Connections;

namespace CinematicSwitch.Ingest.Api;

/// <summary>
/// How much of a request body the service has read, so that a refusal knows whether the rest is worth draining
/// (a few bytes: keep the connection) or not (a large or unknown remainder: answer, then close).
/// </summary>
internal sealed class BodyProgress : Stream
{
    private readonly Stream _body;

    private BodyProgress(Stream body) => _body = body;

    public long BytesRead { get; private set; }

    public bool ReachedEnd { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    /// <summary>Puts a counting wrapper around the request body of <paramref name="context"/>.</summary>
    public static void Track(HttpContext context)
    {
        var progress = new BodyProgress(context.Request.Body);
        context.Request.Body = progress;
        context.Items[typeof(BodyProgress)] = progress;
    }

    /// <summary>Bytes of the body that were not read: 0 when read to the end or empty, null when unknown (chunked).</summary>
    public static long? Unread(HttpContext context)
    {
        var progress = context.Items[typeof(BodyProgress)] as BodyProgress;
        if (progress?.ReachedEnd == true)
        {
            return 0;
        }

        var read = progress?.BytesRead ?? 0;
        if (read == 0 && context.Request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            // Nothing was read, so Kestrel never sent "100 Continue" (and will not once an answer started): the
            // client sends no body at all.
            return 0;
        }

        return context.Request.ContentLength is { } length ? length - read
            : context.Request.Headers.TransferEncoding.Count > 0 ? null
            : 0;
    }

    /// <summary>Bytes of the body read so far (0 when it is not tracked): where a parser gave up, for its error.</summary>
    public static long ReadSoFar(HttpContext context) => (context.Items[typeof(BodyProgress)] as BodyProgress)?.BytesRead ?? 0;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await _body.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException e) when (e is not BadHttpRequestException and not ConnectionResetException)
        {
            // Kestrel reports some framing errors (a bad chunk size) as a plain IOException once the body failed:
            // every failure to read the body is the caller's, and answered as such.
            throw new BadHttpRequestException("The request body could not be read.", StatusCodes.Status400BadRequest, e);
        }

        Count(read, buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _body.Read(buffer, offset, count);
        Count(read, count);
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void Count(int read, int asked)
    {
        BytesRead += read;
        if (read == 0 && asked > 0)
        {
            ReachedEnd = true;
        }
    }
}
