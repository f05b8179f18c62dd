using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CinematicSwitch.Streaming.Embedded;

/// <summary>
/// librdkafka's mock-cluster API (rdkafka_mock.h, librdkafka 2.16), bound to the very native file Confluent.Kafka loaded
/// from librdkafka.redist (on Debian 12 its centos8 build, as the plain build needs libsasl2.so.3): one copy of librdkafka
/// in the process, whichever platform build the client chose.
/// </summary>
internal static partial class MockClusterNative
{
    public const int ProducerType = 0;
    private const string LibraryName = "librdkafka";

    static MockClusterNative() => NativeLibrary.SetDllImportResolver(typeof(MockClusterNative).Assembly, Resolve);

    /// <summary>Loads the client's librdkafka (once) and returns the path of the file it came from.</summary>
    public static string EnsureLoaded() => LoadedFile.Value;

    private static readonly Lazy<string> LoadedFile = new(() =>
    {
        _ = Confluent.Kafka.Library.VersionString;
        using var process = Process.GetCurrentProcess();
        return process.Modules.Cast<ProcessModule>().Select(m => m.FileName)
                   .FirstOrDefault(f => Path.GetFileName(f).Contains("librdkafka", StringComparison.Ordinal))
               ?? throw new DllNotFoundException("Confluent.Kafka reports librdkafka loaded, but no librdkafka module is mapped in this process.");
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == LibraryName ? NativeLibrary.Load(EnsureLoaded()) : IntPtr.Zero;

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_conf_new();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_conf_set(IntPtr conf, string name, string value, IntPtr errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_new(int type, IntPtr conf, IntPtr errstr, nuint errstrSize);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_destroy(IntPtr rk);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_cluster_destroy(IntPtr cluster);

    [LibraryImport(LibraryName)]
    public static partial IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr cluster);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_topic_create(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_down(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_up(IntPtr cluster, int brokerId);

    [LibraryImport(LibraryName)]
    public static partial int rd_kafka_mock_broker_set_rtt(IntPtr cluster, int brokerId, int rttMs);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rd_kafka_mock_partition_set_leader(IntPtr cluster, string topic, int partition, int brokerId);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_push_request_errors_array(IntPtr cluster, short apiKey, nuint count, [In] int[] errors);

    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_clear_request_errors(IntPtr cluster, short apiKey);

    /// <summary>The broker named as controller in metadata answers (0 by default, which is none of the brokers 1..n).</summary>
    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_set_controller_id(IntPtr cluster, int brokerId);

    /// <summary>group.initial.rebalance.delay.ms of every broker (3 s by default, as on a real broker).</summary>
    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr cluster, int delayMs);

    /// <summary>group.consumer.session.timeout.ms, for members of KIP-848 (group.protocol=consumer) groups.</summary>
    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_set_group_consumer_session_timeout_ms(IntPtr cluster, int sessionTimeoutMs);

    /// <summary>group.consumer.heartbeat.interval.ms, for members of KIP-848 groups.</summary>
    [LibraryImport(LibraryName)]
    public static partial void rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(IntPtr cluster, int heartbeatIntervalMs);
}
