using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace CinematicSwitch.Streaming.Native;

/// <summary>
/// The one place that knows where librdkafka comes from. Confluent.Kafka 1.9.3 is restored without
/// librdkafka.redist, so its <c>DllImport("librdkafka")</c> is pointed at the distribution's
/// <c>librdkafka.so.1</c> (Debian's librdkafka1 2.0.2), the library Confluent.Kafka 1.9.x was built for.
/// </summary>
public static class KafkaNative
{
    /// <summary>The soname every other piece of native interop in this assembly binds to.</summary>
    internal const string LibraryName = "librdkafka.so.1";

    private static readonly Lazy<string> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Installs the resolver (once) and returns librdkafka's version string.</summary>
    public static string EnsureLoaded() => Loaded.Value;

    private static string Load()
    {
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        NativeLibrary.SetDllImportResolver(typeof(KafkaNative).Assembly, Resolve);
        return Library.VersionString;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name.StartsWith("librdkafka", StringComparison.Ordinal))
        {
            return LoadOrExplain(LibraryName);
        }

        // Confluent.Kafka's POSIX loader asks for "libdl"; glibc 2.34+ only ships the versioned name.
        return name == "libdl" ? NativeLibrary.Load("libdl.so.2") : IntPtr.Zero;
    }

    private static IntPtr LoadOrExplain(string soname)
    {
        if (NativeLibrary.TryLoad(soname, out var handle))
        {
            return handle;
        }

        throw new DllNotFoundException(
            $"{soname} was not found. Install the distribution's librdkafka (Debian: apt-get install librdkafka1); " +
            "scripts/bootstrap.sh does this for you.");
    }
}
