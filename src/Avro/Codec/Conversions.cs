using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using CinematicSwitch.Avro.Binary;

namespace CinematicSwitch.Avro.Codec;

/// <summary>Logical type conversions and collection loops, called from the compiled codecs.</summary>
internal static class Conversions
{
    private const int UnixEpochDayNumber = 719162;
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    public static int ToDays(DateOnly date) => date.DayNumber - UnixEpochDayNumber;

    public static DateOnly FromDays(int days) => DateOnly.FromDayNumber(days + UnixEpochDayNumber);

    public static int ToMillisOfDay(TimeOnly time) => (int)(time.Ticks / TimeSpan.TicksPerMillisecond);

    public static TimeOnly FromMillisOfDay(int millis) => new(millis * TimeSpan.TicksPerMillisecond);

    public static long ToMicrosOfDay(TimeOnly time) => time.Ticks / 10;

    public static TimeOnly FromMicrosOfDay(long micros) => new(micros * 10);

    public static long ToUnixMillis(DateTimeOffset value) => FloorDiv(value.UtcTicks - UnixEpochTicks, TimeSpan.TicksPerMillisecond);

    public static long ToUnixMicros(DateTimeOffset value) => FloorDiv(value.UtcTicks - UnixEpochTicks, 10);

    public static DateTimeOffset FromUnixMillis(long millis) => new(UnixEpochTicks + (millis * TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    public static DateTimeOffset FromUnixMicros(long micros) => new(UnixEpochTicks + (micros * 10), TimeSpan.Zero);

    public static long ToLocalMillis(DateTime value) => FloorDiv(value.Ticks - UnixEpochTicks, TimeSpan.TicksPerMillisecond);

    public static long ToLocalMicros(DateTime value) => FloorDiv(value.Ticks - UnixEpochTicks, 10);

    public static DateTime FromLocalMillis(long millis) => new(UnixEpochTicks + (millis * TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified);

    public static DateTime FromLocalMicros(long micros) => new(UnixEpochTicks + (micros * 10), DateTimeKind.Unspecified);

    public static Guid ParseGuid(string text) =>
        Guid.TryParse(text, out var value) ? value : throw new AvroEncodingException($"a uuid value of {text.Length} characters is not a UUID");

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public static void WriteBytes(AvroEncoder encoder, byte[] value) => encoder.WriteBytes(value);

    public static void WriteFixed(AvroEncoder encoder, byte[] value, int size)
    {
        if (value.Length != size)
        {
            throw new AvroEncodingException($"a fixed of size {size} cannot hold {value.Length} bytes");
        }

        encoder.WriteFixed(value);
    }

    public static void WriteDuration(AvroEncoder encoder, AvroDuration value)
    {
        Span<byte> bytes = stackalloc byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value.Months);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[4..], value.Days);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], value.Milliseconds);
        encoder.WriteFixed(bytes);
    }

    public static AvroDuration ReadDuration(AvroDecoder decoder)
    {
        var bytes = decoder.ReadSpan(12);
        return new AvroDuration(BinaryPrimitives.ReadUInt32LittleEndian(bytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]));
    }

    public static AvroDuration ToDuration(byte[] bytes) => AvroDecoder.Decode(bytes, ReadDuration);

    /// <summary>decimal as bytes: the big-endian two's-complement unscaled value at the schema's scale.</summary>
    public static void WriteDecimalBytes(AvroEncoder encoder, decimal value, int precision, int scale)
    {
        var unscaled = Unscaled(value, precision, scale);
        Span<byte> bytes = stackalloc byte[unscaled.GetByteCount()];
        unscaled.TryWriteBytes(bytes, out _, isUnsigned: false, isBigEndian: true);
        encoder.WriteBytes(bytes);
    }

    /// <summary>decimal as fixed: the same number, sign-extended to the fixed size.</summary>
    public static void WriteDecimalFixed(AvroEncoder encoder, decimal value, int precision, int scale, int size)
    {
        var unscaled = Unscaled(value, precision, scale);
        var count = unscaled.GetByteCount();
        if (count > size)
        {
            throw new AvroEncodingException($"decimal value needs {count} bytes, the fixed has {size}");
        }

        Span<byte> bytes = stackalloc byte[size];
        bytes[..(size - count)].Fill(unscaled.Sign < 0 ? (byte)0xFF : (byte)0);
        unscaled.TryWriteBytes(bytes[(size - count)..], out _, isUnsigned: false, isBigEndian: true);
        encoder.WriteFixed(bytes);
    }

    public static decimal ReadDecimalBytes(AvroDecoder decoder, int scale) => ToDecimal(decoder.ReadSpan(decoder.ReadLengthPrefix()), scale);

    public static decimal ReadDecimalFixed(AvroDecoder decoder, int size, int scale) => ToDecimal(decoder.ReadSpan(size), scale);

    public static decimal ToDecimal(byte[] bytes, int scale) => ToDecimal(bytes.AsSpan(), scale);

    private static decimal ToDecimal(ReadOnlySpan<byte> bytes, int scale)
    {
        var unscaled = bytes.IsEmpty ? BigInteger.Zero : new BigInteger(bytes, isUnsigned: false, isBigEndian: true);
        var magnitude = BigInteger.Abs(unscaled);
        if (scale > 28 || magnitude.GetBitLength() > 96)
        {
            throw new AvroEncodingException($"decimal value with {bytes.Length} bytes at scale {scale} does not fit System.Decimal");
        }

        var lo = (int)(uint)(magnitude & uint.MaxValue);
        var mid = (int)(uint)((magnitude >> 32) & uint.MaxValue);
        var hi = (int)(uint)(magnitude >> 64);
        return new decimal(lo, mid, hi, unscaled.Sign < 0, (byte)scale);
    }

    private static BigInteger Unscaled(decimal value, int precision, int scale)
    {
        if (value.Scale > scale)
        {
            var rounded = decimal.Round(value, scale);
            if (rounded != value)
            {
                throw new AvroEncodingException($"decimal value has {value.Scale} decimal places, the schema's scale is {scale}; it cannot be written without rounding");
            }

            value = rounded;
        }

        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        var unscaled = mantissa * BigInteger.Pow(10, scale - value.Scale);
        if (unscaled >= BigInteger.Pow(10, precision))
        {
            throw new AvroEncodingException($"decimal value has more than the schema's precision of {precision} digits");
        }

        return value < 0 ? -unscaled : unscaled;
    }

    private static long FloorDiv(long value, long divisor)
    {
        var (quotient, remainder) = Math.DivRem(value, divisor);
        return remainder < 0 ? quotient - 1 : quotient;
    }

    public static void WriteList<T>(AvroEncoder encoder, IReadOnlyList<T> items, Action<AvroEncoder, T> write)
    {
        var count = items.Count;
        if (count > 0)
        {
            encoder.WriteBlockCount(count);
            for (var i = 0; i < count; i++)
            {
                write(encoder, items[i]);
            }
        }

        encoder.WriteBlockCount(0);
    }

    public static void WriteEnumerable<T>(AvroEncoder encoder, IEnumerable<T> items, Action<AvroEncoder, T> write) =>
        WriteList(encoder, items as IReadOnlyList<T> ?? items.ToList(), write);

    public static void WriteMap<T>(AvroEncoder encoder, IEnumerable<KeyValuePair<string, T>> map, Action<AvroEncoder, T> write)
    {
        if (map is Dictionary<string, T> dictionary)
        {
            // The concrete enumerator is a struct: no allocation on the common path.
            if (dictionary.Count > 0)
            {
                encoder.WriteBlockCount(dictionary.Count);
                foreach (var (key, value) in dictionary)
                {
                    encoder.WriteString(key);
                    write(encoder, value);
                }
            }
        }
        else
        {
            var entries = map.ToList();
            if (entries.Count > 0)
            {
                encoder.WriteBlockCount(entries.Count);
                foreach (var (key, value) in entries)
                {
                    encoder.WriteString(key);
                    write(encoder, value);
                }
            }
        }

        encoder.WriteBlockCount(0);
    }

    public static List<T> ReadList<T>(AvroDecoder decoder, Func<AvroDecoder, T> read)
    {
        var list = new List<T>();
        for (var count = decoder.ReadBlockCount(); count != 0; count = decoder.ReadBlockCount())
        {
            // Capacity is bounded by the bytes left, so a corrupt count cannot allocate a huge list.
            list.Capacity = Math.Max(list.Capacity, (int)Math.Min(list.Count + count, list.Count + decoder.Remaining + 16L));
            for (var i = 0L; i < count; i++)
            {
                list.Add(read(decoder));
            }
        }

        return list;
    }

    public static T[] ReadArray<T>(AvroDecoder decoder, Func<AvroDecoder, T> read) => [.. ReadList(decoder, read)];

    public static Dictionary<string, T> ReadMap<T>(AvroDecoder decoder, Func<AvroDecoder, T> read)
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        for (var count = decoder.ReadBlockCount(); count != 0; count = decoder.ReadBlockCount())
        {
            for (var i = 0L; i < count; i++)
            {
                var key = decoder.ReadString();
                map[key] = read(decoder);
            }
        }

        return map;
    }

    /// <summary>A fresh value of a mutable default (record, array, map, bytes) for each record read.</summary>
    public static T DecodeDefault<T>(byte[] bytes, Func<AvroDecoder, T> read) => AvroDecoder.Decode(bytes, read);
}
