using System.Runtime.InteropServices;
using CinematicSwitch.Streaming.Native;

namespace CinematicSwitch.Streaming.Embedded;

/// <summary>librdkafka's mock-cluster API (rdkafka_mock.h), as exported by librdkafka 2.0.2.</summary>
internal static partial class MockClusterNative
{
    public const int ProducerType = 0;

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, IntPtr errstr, nuint errstrSize);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, IntPtr errstr, nuint errstrSize);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(KafkaNative.LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(IntPtr cluster, string topic, int partition, int brokerId);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, [In] int[] errors);

    [LibraryImport(KafkaNative.LibraryName)]
    public static partial void rd_kafka_mock_clear_request_errors(IntPtr cluster, short apiKey);
}
