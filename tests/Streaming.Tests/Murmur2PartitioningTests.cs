using System.Text;
using CinematicSwitch.Testing;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>
/// Keys land on the partition the Java client would choose: toPositive(murmur2(key)) % partitions.
/// The reference hash is written here from the algorithm and checked against Apache Kafka's own
/// vectors (UtilsTest.testMurmur2), independently of the producer under test.
/// </summary>
[Trait("Category", "Stack")]
public sealed class Murmur2PartitioningTests
{
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Reference_murmur2_matches_the_Java_client_vectors(string key, int expected) =>
        Assert.Equal(expected, JavaMurmur2(Encoding.UTF8.GetBytes(key)));

    [Fact]
    public async Task The_project_producer_partitions_keys_like_the_Java_client()
    {
        var stack = await SharedStack.GetAsync();
        var prefix = TestKafka.NewPrefix("murmur2");
        var topic = prefix + "keys";
        const int partitions = 12;
        await stack.Kafka.CreateTopicAsync(topic, partitions);

        var keys = new[] { "21", "foobar", "abc", "a-little-bit-long-string" }
            .Concat(Enumerable.Range(0, 200).Select(i => $"tenant-{i}"))
            .Concat(Enumerable.Range(0, 50).Select(_ => Guid.NewGuid().ToString()))
            .ToList();
        using var producer = stack.Kafka.ClientFactory(prefix).CreateProducer<string, string>("murmur2");
        foreach (var key in keys)
        {
            var result = await producer.ProduceAsync(topic, new Message<string, string> { Key = key, Value = "" });
            var expected = (JavaMurmur2(Encoding.UTF8.GetBytes(key)) & 0x7fffffff) % partitions;
            Assert.True(expected == result.Partition.Value, $"key {key}: partition {result.Partition.Value}, the Java client picks {expected}");
        }
    }

    /// <summary>Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), seed 0x9747b28c.</summary>
    private static int JavaMurmur2(byte[] data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var blocks = length / 4;
        for (var i = 0; i < blocks; i++)
        {
            var k = (uint)(data[i * 4] | data[(i * 4) + 1] << 8 | data[(i * 4) + 2] << 16 | data[(i * 4) + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var tail = blocks * 4;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
