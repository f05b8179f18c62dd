using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;

namespace CinematicSwitch.Avro.Binary;

/// <summary>
/// Avro binary decoding over pinned memory. The typed codecs are compiled expression trees, which cannot
/// take a span, so the span is pinned for the duration of one decode and read through a pointer here;
/// every read is bounds-checked against the pinned length.
/// </summary>
public sealed unsafe class AvroDecoder
{
    [ThreadStatic]
    private static AvroDecoder? t_cached;

    private byte* _data;
    private int _length;
    private int _position;

    private AvroDecoder()
    {
    }

    public int Position => _position;

    public int Remaining => _length - _position;

    /// <summary>Decodes <paramref name="data"/> with <paramref name="read"/>; the decoder is only valid inside the call.</summary>
    public static T Decode<T>(ReadOnlySpan<byte> data, Func<AvroDecoder, T> read)
    {
        fixed (byte* p = data)
        {
            var decoder = t_cached ?? new AvroDecoder();
            t_cached = null;
            decoder._data = p;
            decoder._length = data.Length;
            decoder._position = 0;
            try
            {
                return read(decoder);
            }
            finally
            {
                decoder._data = null;
                decoder._length = 0;
                t_cached = decoder;
            }
        }
    }

    public bool ReadBoolean()
    {
        var b = ReadByte();
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Error($"invalid boolean byte 0x{b:x2} at offset {_position - 1}"),
        };
    }

    public int ReadInt()
    {
        var n = (uint)ReadVarint(5, "int");
        return (int)(n >> 1) ^ -(int)(n & 1);
    }

    public long ReadLong()
    {
        var n = ReadVarint(10, "long");
        return (long)(n >> 1) ^ -(long)(n & 1);
    }

    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(ReadSpan(4));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(ReadSpan(8));

    public byte[] ReadBytes() => ReadSpan(ReadLengthPrefix()).ToArray();

    public byte[] ReadFixed(int size) => ReadSpan(size).ToArray();

    public string ReadString()
    {
        var length = ReadLengthPrefix();
        if (length == 0)
        {
            return string.Empty;
        }

        var start = Take(length);
        return Encoding.UTF8.GetString(_data + start, length);
    }

    /// <summary>A uuid logical type value (its string form).</summary>
    public Guid ReadGuid()
    {
        var text = ReadSpan(ReadLengthPrefix());
        if (Utf8Parser.TryParse(text, out Guid value, out var consumed) && consumed == text.Length)
        {
            return value;
        }

        return Guid.TryParse(Encoding.UTF8.GetString(text), out value)
            ? value
            : throw Error($"'{Encoding.UTF8.GetString(text)}' is not a UUID");
    }

    public int ReadEnum() => ReadInt();

    public int ReadUnionIndex() => ReadInt();

    /// <summary>Reads an array or map block header: the item count (0 ends the sequence). A negative count is
    /// followed by the block's size in bytes, which is read and discarded here.</summary>
    public long ReadBlockCount()
    {
        var count = ReadLong();
        if (count < 0)
        {
            ReadLong();
            count = -count;
        }

        return count;
    }

    /// <summary>Reads a block header for skipping: when the writer gave the block's byte size, the whole block is
    /// skipped here and -1 is returned; otherwise the item count is returned for the caller to skip item by item.</summary>
    internal long ReadBlockCountOrSkip()
    {
        var count = ReadLong();
        if (count >= 0)
        {
            return count;
        }

        var size = ReadLong();
        if (size < 0 || size > Remaining)
        {
            throw Error($"block byte size {size} is out of range at offset {_position}");
        }

        _position += (int)size;
        return -1;
    }

    public void Skip(int count) => Take(count);

    public void SkipBytes() => Take(ReadLengthPrefix());

    /// <summary>The next <paramref name="count"/> bytes; valid only while the decode call runs.</summary>
    public ReadOnlySpan<byte> ReadSpan(int count) => new(_data + Take(count), count);

    internal int ReadLengthPrefix()
    {
        var length = ReadLong();
        if (length < 0 || length > Remaining)
        {
            throw Error($"length {length} is out of range ({Remaining} bytes remain) at offset {_position}");
        }

        return (int)length;
    }

    // A zigzag varint of at most maxBytes bytes whose value fits 32 (5 bytes) or 64 (10 bytes) bits.
    private ulong ReadVarint(int maxBytes, string type)
    {
        ulong result = 0;
        for (var i = 0; i < maxBytes; i++)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                var lastBits = (maxBytes == 5 ? 32 : 64) - (7 * i);
                return i < maxBytes - 1 || b >> lastBits == 0
                    ? result
                    : throw Error($"{type} varint overflows {(maxBytes == 5 ? 32 : 64)} bits at offset {_position - 1}");
            }
        }

        throw Error($"{type} varint longer than {maxBytes} bytes at offset {_position}");
    }

    private byte ReadByte()
    {
        if (_position >= _length)
        {
            throw Error($"unexpected end of data at offset {_position}");
        }

        return _data[_position++];
    }

    private int Take(int count)
    {
        if (count < 0 || count > _length - _position)
        {
            throw Error($"unexpected end of data: {count} bytes needed at offset {_position}, {_length - _position} remain");
        }

        var start = _position;
        _position += count;
        return start;
    }

    internal static AvroEncodingException Error(string message) => new("Invalid Avro binary data: " + message);
}
