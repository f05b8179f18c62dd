using System.Buffers.Binary;
using System.Text;

namespace CinematicSwitch.Avro.Binary;

/// <summary>
/// Avro binary encoding into a growable buffer. One instance per thread is reused, so a typed
/// serialization allocates nothing but the copy the caller's <see cref="System.Buffers.IBufferWriter{T}"/> makes.
/// </summary>
public sealed class AvroEncoder
{
    private const int MaxCachedBuffer = 1 << 20;

    [ThreadStatic]
    private static AvroEncoder? t_cached;

    private byte[] _buffer;
    private int _position;

    public AvroEncoder(int initialCapacity = 256) => _buffer = new byte[Math.Max(16, initialCapacity)];

    public int Length => _position;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Reset() => _position = 0;

    // Taken out of the thread slot while in use, so a nested use gets its own instance.
    internal static AvroEncoder Rent()
    {
        var encoder = t_cached ?? new AvroEncoder();
        t_cached = null;
        return encoder;
    }

    internal static void Return(AvroEncoder encoder)
    {
        if (encoder._buffer.Length <= MaxCachedBuffer)
        {
            encoder._position = 0;
            t_cached = encoder;
        }
    }

    public void WriteBoolean(bool value)
    {
        Ensure(1);
        _buffer[_position++] = value ? (byte)1 : (byte)0;
    }

    public void WriteInt(int value) => WriteVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteLong(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    public void WriteFloat(float value)
    {
        Ensure(4);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.AsSpan(_position), value);
        _position += 4;
    }

    public void WriteDouble(double value)
    {
        Ensure(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_position), value);
        _position += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    public void WriteFixed(ReadOnlySpan<byte> value)
    {
        Ensure(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    public void WriteString(string value)
    {
        // Short strings: encode straight after a one-byte length, fixing the length afterwards.
        if (value.Length <= 42)
        {
            Ensure(1 + (value.Length * 3));
            var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position + 1));
            if (written < 64)
            {
                _buffer[_position] = (byte)(written << 1);
                _position += 1 + written;
                return;
            }
        }

        var count = Encoding.UTF8.GetByteCount(value);
        WriteLong(count);
        Ensure(count);
        _position += Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_position));
    }

    /// <summary>A UUID as its 36-character string form, as the uuid logical type requires.</summary>
    public void WriteGuid(Guid value)
    {
        Ensure(37);
        _buffer[_position++] = 36 << 1;
        value.TryFormat(_buffer.AsSpan(_position, 36), out _, "D");
        _position += 36;
    }

    public void WriteEnum(int ordinal) => WriteInt(ordinal);

    public void WriteUnionIndex(int index) => WriteInt(index);

    /// <summary>Starts an array or map block of <paramref name="count"/> items; a zero count ends the sequence.</summary>
    public void WriteBlockCount(long count) => WriteLong(count);

    private void WriteVarint(ulong n)
    {
        Ensure(10);
        var buffer = _buffer;
        var p = _position;
        while (n >= 0x80)
        {
            buffer[p++] = (byte)(n | 0x80);
            n >>= 7;
        }

        buffer[p++] = (byte)n;
        _position = p;
    }

    private void Ensure(int count)
    {
        if (_buffer.Length - _position < count)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _position + count));
        }
    }
}
