namespace CinematicSwitch.Streaming.Clients;

/// <summary>
/// The Java client's key partitioning: toPositive(murmur2(key)) % partitions (Utils.murmur2, seed 0x9747b28c).
/// Producers get it from librdkafka's murmur2_random partitioner; the stream processor computes it itself
/// where it must know an output's partition before producing it.
/// </summary>
public static class Murmur2
{
    public static int Hash(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        var h = 0x9747b28c ^ (uint)data.Length;
        var i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            var k = (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24);
            k *= m;
            k ^= k >> 24;
            k *= m;
            h = (h * m) ^ k;
        }

        var rest = data.Length - i;
        if (rest == 3)
        {
            h ^= (uint)data[i + 2] << 16;
        }

        if (rest >= 2)
        {
            h ^= (uint)data[i + 1] << 8;
        }

        if (rest >= 1)
        {
            h ^= data[i];
            h *= m;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return unchecked((int)h);
    }

    public static int Partition(ReadOnlySpan<byte> key, int partitions) => (Hash(key) & 0x7fffffff) % partitions;
}
