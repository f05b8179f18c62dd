using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace CinematicSwitch.Ingest.Tests.Support;

/// <summary>
/// Media for uploads: real magic bytes followed by deterministic pseudo-random filler (incompressible), made on the fly
/// so that a 100 MB (or 2 GB) upload never exists as an array in the test process.
/// </summary>
internal sealed class TestMedia
{
    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52];
    public static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01];

    private readonly byte[] _header;

    private TestMedia(byte[] header, long length, int seed)
    {
        _header = header;
        Length = length;
        Seed = seed;
    }

    public long Length { get; }

    public int Seed { get; }

    public static TestMedia Png(long length, int seed = 1) => new(PngSignature, length, seed);

    public static TestMedia Jpeg(long length, int seed = 2) => new(JpegSignature, length, seed);

    public static TestMedia Mp4(long length, int seed = 3) => new(IsoHeader("isom"), length, seed);

    public static TestMedia QuickTime(long length, int seed = 4) => new(IsoHeader("qt  "), length, seed);

    /// <summary>An ISO base media file of another brand (HEIC photos, M4A audio, ...).</summary>
    public static TestMedia Iso(string brand, long length) => new(IsoHeader(brand), length, 5);

    /// <summary>Any other content, starting with <paramref name="header"/>.</summary>
    public static TestMedia Other(byte[] header, long length) => new(header, length, 6);

    public byte[] ToArray()
    {
        var bytes = new byte[checked((int)Length)];
        Fill(bytes, 0);
        return bytes;
    }

    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        for (long offset = 0; offset < Length; offset += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, Length - offset);
            Fill(buffer.AsSpan(0, count), offset);
            hash.AppendData(buffer, 0, count);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The bytes at <paramref name="offset"/>: the header, then a keyed pseudo-random stream (8-byte blocks of splitmix64).</summary>
    public void Fill(Span<byte> destination, long offset)
    {
        Span<byte> block = stackalloc byte[8];
        var i = 0;
        while (i < destination.Length)
        {
            var position = offset + i;
            if (position < _header.Length)
            {
                destination[i++] = _header[position];
                continue;
            }

            BinaryPrimitives.WriteUInt64LittleEndian(block, Mix((ulong)(position / 8) ^ ((ulong)Seed << 48)));
            var from = (int)(position % 8);
            var count = Math.Min(8 - from, destination.Length - i);
            block.Slice(from, count).CopyTo(destination[i..]);
            i += count;
        }
    }

    /// <summary>The bytes as HTTP content with a known length, produced while sent.</summary>
    public HttpContent ToContent(string contentType = "application/octet-stream", Action<long>? onSent = null) =>
        new GeneratedContent(this, contentType, knownLength: true, onSent);

    /// <summary>The bytes as content of unknown length (sent chunked, or inside a multipart body without a total length).</summary>
    public HttpContent ToChunkedContent(string contentType = "application/octet-stream", Action<long>? onSent = null) =>
        new GeneratedContent(this, contentType, knownLength: false, onSent);

    private static byte[] IsoHeader(string brand)
    {
        var header = new byte[24];
        header[3] = 24;
        "ftyp"u8.CopyTo(header.AsSpan(4));
        System.Text.Encoding.ASCII.GetBytes(brand).CopyTo(header, 8);
        "isomiso2"u8.CopyTo(header.AsSpan(16));
        return header;
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EB;
        return x ^ (x >> 31);
    }

    private sealed class GeneratedContent : HttpContent
    {
        private readonly TestMedia _media;
        private readonly bool _knownLength;
        private readonly Action<long>? _onSent;

        public GeneratedContent(TestMedia media, string contentType, bool knownLength, Action<long>? onSent)
        {
            _media = media;
            _knownLength = knownLength;
            _onSent = onSent;
            Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new byte[64 * 1024];
            for (long offset = 0; offset < _media.Length; offset += buffer.Length)
            {
                var count = (int)Math.Min(buffer.Length, _media.Length - offset);
                _media.Fill(buffer.AsSpan(0, count), offset);
                await stream.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
                _onSent?.Invoke(offset + count);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _media.Length;
            return _knownLength;
        }
    }
}
